import Foundation
import PodformCore

/// Reads spec files for the pure core: path + text, or a diagnostic saying why not.
public enum SpecFiles {
    /// Reads one file. Refuses directories, unreadable and oversized files without reading them whole.
    public static func read(_ path: String) -> (text: String?, diagnostic: Diagnostic?) {
        let at = SourceLocation(file: path, line: 1, column: 1)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return (nil, Diagnostic(.error, code: "file-not-found", message: "no such file", at: at))
        }
        if isDirectory.boolValue {
            return (
                nil,
                Diagnostic(
                    .error, code: "file-not-found", message: "is a directory, not a spec file", at: at,
                    hint: "pass the YAML files, e.g. `\(path)/*.yaml`")
            )
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > SpecDocument.maxBytes {
            return (
                nil,
                Diagnostic(
                    .error, code: "file-too-large",
                    message: "spec is \(size) bytes; the limit is \(SpecDocument.maxBytes) bytes", at: at,
                    hint: "a deployment spec is a few kilobytes; is this the right file?")
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, Diagnostic(.error, code: "file-unreadable", message: "cannot read the file (permissions?)", at: at))
        }
        if data.contains(0) {
            return (nil, Diagnostic(.error, code: "not-text", message: "file is binary, not a YAML spec", at: at))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (nil, Diagnostic(.error, code: "not-text", message: "file is not UTF-8 text", at: at))
        }
        return (text, nil)
    }
}
