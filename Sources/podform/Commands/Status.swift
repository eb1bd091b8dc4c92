import ArgumentParser
import Foundation
import PodformApply
import PodformCore
import PodformKit
import PodformRender
import RunPodAPI

/// Spec names from spec files (status, logs and destroy need only the name).
func specNames(_ files: [String]) throws -> [String] {
    var names: [String] = []
    for path in files {
        let (text, problem) = SpecFiles.read(path)
        if let problem { Output.err("error: \(path): \(problem.message)\n"); throw ExitCode(1) }
        guard let spec = PodformCore.Spec.parse(path: path, text: text ?? "").0 else {
            Output.err("error: \(path) is not a valid spec (run podform validate)\n")
            throw ExitCode(1)
        }
        names.append(spec.name)
    }
    return names
}

extension Podform {
    /// `podform status`: what the specs own on RunPod, its state, URL, workers and spend.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the live resources the specs own: state, URL, workers, spend so far (30 days).")

        @Argument(help: "Spec files.", completion: .file(extensions: ["yaml", "yml"])) var files: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions

        func validate() throws { if files.isEmpty { throw ValidationError("give spec files") } }

        struct Row: Encodable {
            var spec: String, kind: String, name: String, id: String, state: String, url: String?, workers: String?, spend_usd: Double?
            var health: String?, health_detail: String?
        }

        func run() async throws {
            let names = try specNames(files)
            do {
                let client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client()
                let live = try await LiveState.fetch(client)
                var rows: [Row] = []
                for spec in names {
                    let owned = live.ownedResources(spec: spec)
                    var lists: [String: WorkerList] = [:]
                    for e in owned.endpoints { lists[e.id] = try? await client.endpointWorkers(e.id) }
                    let state = health(owned: owned, workers: lists)
                    for e in owned.endpoints {
                        let workers = lists[e.id]
                        let ready = workers?.workers.filter { $0.status == "RUNNING" || $0.status == "IDLE" }.count ?? 0
                        let max = e.workers?["max"].flatMap { if case .int(let i) = $0 { return i } else { return nil } }
                        rows.append(
                            Row(
                                spec: spec, kind: "endpoint", name: e.name ?? "", id: e.id,
                                state: state?.state.rawValue ?? "?",
                                url: "https://api.runpod.ai/v2/\(e.id)/openai/v1",
                                workers: workers == nil ? "not reported" : "\(ready) ready" + (max.map { " of max \($0)" } ?? ""),
                                spend_usd: try? await client.endpointSpend(e.id), health: state?.state.rawValue, health_detail: state?.detail))
                    }
                    for p in owned.pods {
                        let port = p.ports?.first { $0.hasSuffix("/http") }?.split(separator: "/").first.map(String.init) ?? "8000"
                        rows.append(
                            Row(
                                spec: spec, kind: "pod", name: p.name ?? "", id: p.id, state: p.status ?? "?",
                                url: "https://\(p.id)-\(port).proxy.runpod.net", workers: nil, spend_usd: try? await client.podSpend(p.id),
                                health: state?.state.rawValue, health_detail: state?.detail))
                    }
                    for c in owned.clusters {
                        let port = c.container?.ports?.first { $0.hasSuffix("/http") }?.split(separator: "/").first.map(String.init) ?? "8000"
                        let (url, detail) = c.primaryDetails(port: port)
                        rows.append(
                            Row(
                                spec: spec, kind: "cluster", name: c.cluster.name, id: c.id,
                                state:
                                    "\(c.cluster.compute.podCount) nodes x \(c.cluster.compute.gpuCountPerPod) x \(c.cluster.compute.gpuTypeId) (\(c.cluster.type))"
                                    + (detail.isEmpty ? "" : "; " + detail),
                                url: url, workers: nil, spend_usd: nil, health: state?.state.rawValue, health_detail: state?.detail))
                    }
                    for v in owned.volumes {
                        rows.append(
                            Row(
                                spec: spec, kind: "network_volume", name: v.name, id: v.id, state: "\(v.size) GB in \(v.dataCenter)",
                                url: nil, workers: nil, spend_usd: nil))
                    }
                    if owned.endpoints.isEmpty && owned.pods.isEmpty && owned.volumes.isEmpty && owned.clusters.isEmpty {
                        rows.append(Row(spec: spec, kind: "-", name: "-", id: "-", state: "not deployed", url: nil, workers: nil, spend_usd: nil))
                    }
                }
                if json { try Output.out(encodeJSON(rows)); return }
                printRows(rows)
            } catch let error as RunPodError {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
        }

        /// The rows as text: names, ids and states come from RunPod, printed on one line with escape codes removed.
        func printRows(_ rows: [Row]) {
            for raw in rows {
                // Names, ids and states come from RunPod: printed on one line, escape codes removed.
                var r = raw
                r.name = Output.terminalSafe(r.name); r.id = Output.terminalSafe(r.id); r.state = Output.terminalSafe(r.state)
                r.url = r.url.map(Output.terminalSafe); r.health_detail = r.health_detail.map(Output.terminalSafe)
                var line = "\(r.spec)  \(r.kind) \(r.name) (\(r.id)): \(r.state)"
                if let h = r.health_detail, ["endpoint", "pod", "cluster"].contains(r.kind) { line += " (\(h))" }
                if let w = r.workers { line += ", workers \(w)" }
                if let s = r.spend_usd { line += String(format: ", $%.2f spent (30 days)", s) }
                if let u = r.url { line += "\n    \(u)" }
                Output.out(line + "\n")
            }
        }
    }

    /// `podform logs`: pod or worker logs through the v2 logs endpoints.
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the logs of a spec's pods or serverless workers.")

        @Argument(help: "The spec.", completion: .file(extensions: ["yaml", "yml"])) var spec: String
        @Flag(name: .shortAndLong, help: "Keep streaming new lines.") var follow = false
        @Option(help: "Lines of history (0-5000).") var tail: Int = 100
        @Option(name: .customLong("api-url"), help: "RunPod API base URL.") var apiURL: String?
        @Option(name: .customLong("api-key-file"), help: "Read the API key from this file.") var apiKeyFile: String?
        @OptionGroup var global: GlobalOptions

        func validate() throws { if !(0...5000).contains(tail) { throw ValidationError("--tail must be 0 to 5000") } }

        func run() async throws {
            let name = try specNames([spec])[0]
            do {
                let client = try RunPodOptions(apiURL: apiURL, apiKeyFile: apiKeyFile, global: global).client()
                let owned = try await LiveState.fetch(client).ownedResources(spec: name)
                var paths: [(String, String)] = owned.pods.map { ("pod \($0.name ?? $0.id)", "/v2/pods/\($0.id)/logs") }
                for e in owned.endpoints {
                    for w in try await client.endpointWorkers(e.id).workers {
                        paths.append(("worker \(w.id)", "/v2/serverless/\(e.id)/workers/\(w.id)/logs"))
                    }
                }
                if paths.isEmpty {
                    Output.err("\(name): nothing running to show logs for (no pods, no running workers)\n")
                    return
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (label, path) in paths {
                        group.addTask {
                            try await client.streamLogs(path: path, tail: tail, follow: follow) { line in
                                Output.out("[\(label)] \(line.ts.map { "\($0) " } ?? "")\(line.line)\n")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            } catch let error as RunPodError {
                Output.err("error: \(error)\n")
                throw ExitCode(1)
            }
        }
    }
}
