import ArgumentParser
import Foundation
import PodformApply
import PodformCore
import RunPodAPI

extension Podform {
    /// `podform reconcile`: the GitOps loop.
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep RunPod in line with every spec in a directory, round after round.",
            discussion: "Logs one line per spec per round; backs off on API errors; exits cleanly on SIGTERM or SIGINT.")

        @Argument(help: "Directory of specs (searched recursively for .yaml and .yml).") var directory: String
        @Option(help: "Time between rounds (e.g. 60s, 5m).") var interval: String = "60s"
        @Flag(help: "Run one round and exit.") var once = false
        @Flag(help: "Delete resources of specs no longer in the directory (never network volumes without --allow-destroy-volumes).")
        var prune = false
        @Option(help: "Only specs whose labels match, e.g. team=search (repeatable).") var selector: [String] = []
        @Option(name: .customLong("log-format"), help: "text or json.") var logFormat: LogFormat = .text
        @Flag(name: .customLong("allow-destroy-volumes"), help: "Allow deleting network volumes.") var allowDestroyVolumes = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions

        enum LogFormat: String, ExpressibleByArgument { case text, json }

        func validate() throws {
            guard Units.seconds(interval).map({ $0 >= 1 }) == true else { throw ValidationError("--interval must be a duration of at least 1s, e.g. 60s") }
            for s in selector where !s.contains("=") { throw ValidationError("--selector takes key=value") }
        }

        func run() async throws {
            let client: RunPodClient
            do { client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client() } catch {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
            let stop = StopFlag()
            let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { stop.set() }
                source.resume()
                return source
            }
            defer { sources.forEach { $0.cancel() } }
            let base = Units.seconds(interval) ?? 60
            var wait = base
            var round = 0
            let lock = SpecLock()
            while !stop.isSet {
                round += 1
                let files = specFiles()
                let outcome = PlanPipeline(catalogs: try Catalogs.load()).run(files)
                for d in outcome.diagnostics where d.severity == .error {
                    log(["round": "\(round)", "spec_file": d.location.file, "result": "invalid", "error": "\(d.location.line):\(d.location.column) \(d.message) [\(d.code)]"])
                }
                for f in outcome.failures { log(["round": "\(round)", "result": "failed", "error": f]) }
                let selected = outcome.plan.deployments.filter { matches($0.specFile) }
                let owned = selected.filter { lock.acquire($0.name) }
                for skipped in selected where !owned.contains(where: { $0.name == skipped.name }) {
                    log(["round": "\(round)", "spec": skipped.name, "result": "skipped", "error": "being applied by another podform on this machine"])
                }
                do {
                    let restore = Dictionary(uniqueKeysWithValues: owned.map { d in
                        (d.name, (PodformCore.Spec.parse(path: d.specFile, text: (try? String(contentsOfFile: d.specFile, encoding: .utf8)) ?? "").0?.deploy.restoreIdleScaleDown) ?? false)
                    })
                    let reconciler = Reconciler(client: client, prune: prune && outcome.failures.isEmpty && !outcome.diagnostics.hasErrors,
                                                allowDestroyVolumes: allowDestroyVolumes, restoreIdleScaleDown: restore)
                    for o in try await reconciler.round(owned) {
                        var line = ["round": "\(round)", "spec": o.spec, "result": o.result, "changes": "\(o.changes)", "writes": "\(o.writes)"]
                        if let e = o.error { line["error"] = e }
                        if !o.notes.isEmpty { line["notes"] = o.notes.joined(separator: "; ") }
                        log(line)
                    }
                    wait = base
                } catch {
                    wait = min(wait * 2, 600)
                    log(["round": "\(round)", "result": "api-error", "error": "\(error)", "next_round_in": "\(Int(wait))s"])
                }
                if once { break }
                let until = Date().addingTimeInterval(wait)
                while Date() < until && !stop.isSet { try? await Task.sleep(nanoseconds: 200_000_000) }
            }
            log(["result": "stopped", "rounds": "\(round)"])
        }

        func specFiles() -> [String] {
            guard let e = FileManager.default.enumerator(atPath: directory) else { return [] }
            return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (directory as NSString).appendingPathComponent($0) }
        }

        func matches(_ file: String) -> Bool {
            guard !selector.isEmpty else { return true }
            let labels = PodformCore.Spec.parse(path: file, text: (try? String(contentsOfFile: file, encoding: .utf8)) ?? "").0?.labels ?? [:]
            return selector.allSatisfy { s in
                let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
                return labels[parts[0]] == (parts.count > 1 ? parts[1] : "")
            }
        }

        func log(_ fields: [String: String]) {
            var f = fields
            f["ts"] = ISO8601DateFormatter().string(from: Date())
            switch logFormat {
            case .json:
                let data = (try? JSONSerialization.data(withJSONObject: f, options: [.sortedKeys])) ?? Data()
                Output.out(String(decoding: data, as: UTF8.self) + "\n")
            case .text:
                let keys = ["ts", "round", "spec", "spec_file", "result", "changes", "writes"].filter { f[$0] != nil }
                var line = keys.map { "\($0)=\(f[$0]!)" }.joined(separator: " ")
                for k in ["error", "notes", "next_round_in", "rounds"] where f[k] != nil { line += " \(k)=\"\(f[k]!)\"" }
                Output.out(line + "\n")
            }
        }
    }
}

/// Set from a signal handler; read by the loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
