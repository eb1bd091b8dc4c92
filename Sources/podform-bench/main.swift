import Foundation
import PodformCatalog
import PodformSizing

/// podform-bench: accuracy and speed benchmarks; writes BENCHMARKS.md sections.
///
/// Usage: swift run -c release podform-bench [calibration|speed|plans|simulate|reconcile|all] [--write] [--fit]
let arguments = Array(CommandLine.arguments.dropFirst())
let what = arguments.first { !$0.hasPrefix("-") } ?? "all"
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let write = arguments.contains("--write")

final class SectionBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func set(_ t: String) { lock.lock(); text = t; lock.unlock() }
    func get() -> String { lock.lock(); defer { lock.unlock() }; return text }
}

do {
    let models = try ModelCatalog.bundled()
    let gpus = try GPUCatalog.bundled()
    var sections: [String] = []
    if what == "calibration" || what == "all" {
        let (md, _) = try CalibrationBench.run(
            csvPath: root.appendingPathComponent("Benchmarks/data/vllm_calibration.csv").path, models: models, gpus: gpus)
        sections.append(md)
    }
    if what == "throughput" || what == "speed" || what == "all" {
        sections.append(
            try SpeedBench.run(
                root: root, models: models, gpus: gpus, writeFit: arguments.contains("--fit"),
                fresh: arguments.contains("--fresh")))
    }
    if what == "plans" || what == "all" {
        sections.append(try PlanBench.run(root: root, models: models, gpus: gpus))
    }
    if what == "simulate" || what == "all" {
        sections.append(try SimulateBench.run(root: root, models: models, gpus: gpus))
    }
    if what == "reconcile" || what == "all" {
        let box = SectionBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(try await ReconcileBench.run(root: root, models: models, gpus: gpus)) } catch {
                box.set("reconcile bench failed: \(error)\n")
            }
            done.signal()
        }
        done.wait()
        sections.append(box.get())
    }
    let output = sections.joined(separator: "\n")
    print(output)
    if write {
        let header = """
            # Benchmarks

            Written by `swift run -c release podform-bench all --write` (release build, this machine:
            2 cores, Linux). Accuracy sections compare podform's estimates with public logs; the speed
            section measures the compiler. Re-run after changing the sizing or performance model.


            """
        let url = root.appendingPathComponent("BENCHMARKS.md")
        if what == "all" {
            try (header + output).write(to: url, atomically: true, encoding: .utf8)
        } else {
            // Replace only the sections this run produced (by their "## " heading), keep the rest.
            var text = (try? String(contentsOf: url, encoding: .utf8)) ?? header
            for section in sections {
                guard let title = section.split(separator: "\n").first.map(String.init) else { continue }
                let replacedTitles =
                    what == "speed" || what == "throughput"
                    ? [title, "## Performance model against published figures"] : [title]
                var done = false
                for t in replacedTitles {
                    guard !done, let start = text.range(of: t + "\n") else { continue }
                    let rest = text[start.upperBound...]
                    let end = rest.range(of: "\n## ").map { text.index(after: $0.lowerBound) } ?? text.endIndex
                    text.replaceSubrange(
                        start.lowerBound..<end,
                        with: section.hasSuffix("\n\n") ? section : section.hasSuffix("\n") ? section + "\n" : section + "\n\n")
                    done = true
                }
                if !done { text += "\n" + section }
            }
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }
} catch {
    FileHandle.standardError.write(Data("podform-bench: \(error)\n".utf8))
    exit(1)
}
