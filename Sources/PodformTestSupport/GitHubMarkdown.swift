import Foundation

/// A PR comment as GitHub shows it: rendered by cmark-gfm, GitHub's own Markdown renderer (the
/// `cmarkgfm` Python binding, which `.ci/run` installs), with raw HTML kept as GitHub keeps
/// `<details>`, then read back as the text of its headings, table rows (cell by cell), list items
/// and paragraphs. Tests assert on what a reviewer sees, not on the Markdown source.
public struct GitHubMarkdown: Sendable {
    public var html: String
    public var headings: [String]
    /// Every table row (header rows too), each cell's text.
    public var rows: [[String]]
    public var items: [String]
    public var paragraphs: [String]
    /// The text of each `<summary>` (collapsed sections).
    public var summaries: [String]

    /// Why the renderer could not run (no python3, no cmarkgfm).
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public static func render(_ markdown: String) throws -> GitHubMarkdown {
        let python = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let python else { throw Unavailable(description: "python3 is not installed") }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("podform-gfm-\(UUID().uuidString).md")
        try markdown.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script, input.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 { throw Unavailable(description: "cmarkgfm is not installed (pip install cmarkgfm)") }
        guard process.terminationStatus == 0,
            let o = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw Unavailable(description: "cmarkgfm failed: \(errors)")
        }
        return GitHubMarkdown(
            html: o["html"] as? String ?? "", headings: o["headings"] as? [String] ?? [],
            rows: o["rows"] as? [[String]] ?? [], items: o["items"] as? [String] ?? [],
            paragraphs: o["paragraphs"] as? [String] ?? [], summaries: o["summaries"] as? [String] ?? [])
    }

    static let script = #"""
        import json, sys
        from html.parser import HTMLParser
        try:
            import cmarkgfm
            from cmarkgfm.cmark import Options
        except ImportError:
            sys.exit(3)
        html = cmarkgfm.github_flavored_markdown_to_html(open(sys.argv[1], encoding="utf-8").read(), options=Options.CMARK_OPT_UNSAFE)
        KEEP = ("h1", "h2", "h3", "h4", "li", "p", "td", "th", "summary")
        class P(HTMLParser):
            def __init__(self):
                super().__init__()
                self.out = {"html": html, "headings": [], "rows": [], "items": [], "paragraphs": [], "summaries": []}
                self.stack, self.row = [], []
            def handle_starttag(self, tag, attrs):
                if tag in KEEP: self.stack.append([tag, ""])
                if tag == "tr": self.row = []
            def handle_endtag(self, tag):
                if self.stack and self.stack[-1][0] == tag:
                    t, text = self.stack.pop()
                    text = " ".join(text.split())
                    if t in ("td", "th"): self.row.append(text)
                    elif t == "li": self.out["items"].append(text)
                    elif t == "p": self.out["paragraphs"].append(text)
                    elif t == "summary": self.out["summaries"].append(text)
                    else: self.out["headings"].append(text)
                    if self.stack: self.stack[-1][1] += text
                if tag == "tr": self.out["rows"].append(self.row)
            def handle_data(self, data):
                if self.stack: self.stack[-1][1] += data
        p = P(); p.feed(html); print(json.dumps(p.out))
        """#
}
