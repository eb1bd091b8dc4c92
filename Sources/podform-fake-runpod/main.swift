import Foundation
import PodformTestSupport

/// podform-fake-runpod: a loopback stand-in for RunPod's REST v2 API, for tests and local trials.
///
///     podform-fake-runpod [--port N] [--api-key KEY] [--gpus FILE] [--fault 'METHOD PATH=KIND'...] [--stock 'GPU=LEVEL[@PRODUCT]'...] [--log]
///
/// KIND: a status (500, 503), 429[:retry-after], delay:SECONDS, no-capacity, succeed-then-500,
/// malformed, echo-auth[:STATUS[:text]] (echoes the Authorization header and key in every error
/// field); add *N to repeat. `--stock 'NVIDIA H100 NVL=NONE[@POD]'` takes a type out of stock. Prints `listening on http://127.0.0.1:PORT`; stops on SIGINT/SIGTERM.
func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("podform-fake-runpod: \(message)\n".utf8))
    exit(64)
}

var port: UInt16 = 0
var apiKey = ProcessInfo.processInfo.environment["FAKE_RUNPOD_API_KEY"] ?? "fake-key"
var gpus = FakeCatalog.bundled()
var faults: [Fault] = []
/// `--stock 'GPU=LEVEL[@PRODUCT]'`: a type's stock (NONE refuses creates of it as RunPod does).
var stock: [(gpu: String, level: String, product: String?)] = []
var log = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    func value() -> String {
        if args.isEmpty { usage("\(flag) needs a value") }
        return args.removeFirst()
    }
    switch flag {
    case "--port": guard let p = UInt16(value()) else { usage("--port must be 0-65535") }; port = p
    case "--api-key": apiKey = value()
    case "--gpus":
        let path = value()
        guard let data = FileManager.default.contents(atPath: path) else { usage("cannot read \(path)") }
        gpus = data
    case "--log": log = true
    case "--stock":
        let spec = value()
        guard let eq = spec.lastIndex(of: "=") else { usage("--stock takes 'GPU=LEVEL[@PRODUCT]'") }
        let rest = spec[spec.index(after: eq)...].split(separator: "@").map(String.init)
        guard let level = rest.first, ["NONE", "LOW", "MEDIUM", "HIGH"].contains(level) else { usage("--stock level is NONE, LOW, MEDIUM or HIGH") }
        stock.append((String(spec[..<eq]), level, rest.dropFirst().first))
    case "--fault":
        let spec = value()
        guard let eq = spec.lastIndex(of: "=") else { usage("--fault takes 'METHOD PATH=KIND'") }
        let target = spec[..<eq].split(separator: " ")
        var kindText = String(spec[spec.index(after: eq)...])
        var times = 1
        if let star = kindText.firstIndex(of: "*") {
            times = Int(kindText[kindText.index(after: star)...]) ?? 1; kindText = String(kindText[..<star])
        }
        let parts = kindText.split(separator: ":").map(String.init)
        let kind: Fault.Kind
        switch parts.first ?? "" {
        case "429": kind = .rateLimited(retryAfter: Int(parts.dropFirst().first ?? "1") ?? 1)
        case "delay": kind = .delay(seconds: Double(parts.dropFirst().first ?? "1") ?? 1)
        case "no-capacity": kind = .noCapacity
        case "succeed-then-500": kind = .succeedThen500
        case "malformed": kind = .malformedBody
        case "echo-auth":
            kind = .echoAuthorization(status: Int(parts.dropFirst().first ?? "422") ?? 422, plainText: parts.dropFirst(2).first == "text")
        default:
            guard let code = Int(parts.first ?? ""), (400...599).contains(code) else { usage("unknown fault kind \(kindText)") }
            kind = .status(code)
        }
        faults.append(Fault(kind, method: target.first.map(String.init), pathPrefix: target.dropFirst().first.map(String.init), times: times))
    case "-h", "--help":
        usage(
            "usage: podform-fake-runpod [--port N] [--api-key KEY] [--gpus FILE] [--fault 'METHOD PATH=KIND'] [--stock 'GPU=LEVEL[@PRODUCT]'] [--log]"
        )
    default: usage("unknown argument \(flag)")
    }
}

signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let stop = DispatchSemaphore(value: 0)
let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
    let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
    s.setEventHandler { stop.signal() }
    s.resume()
    return s
}

let (finalPort, finalKey, finalGPUs, finalFaults, finalLog, finalStock) = (port, apiKey, gpus, faults, log, stock)
let task = Task.detached {
    let server = try await FakeRunPodServer(apiKey: finalKey, gpuTypes: finalGPUs, port: finalPort)
    for fault in finalFaults { await server.state.inject(fault) }
    for s in finalStock { await server.state.setStock(s.gpu, s.level, product: s.product) }
    FileHandle.standardOutput.write(Data("listening on \(server.baseURL.absoluteString)\n".utf8))
    var seen = 0
    while !Task.isCancelled {
        try? await Task.sleep(nanoseconds: 100_000_000)
        if finalLog {
            let requests = await server.state.requests
            for r in requests.dropFirst(seen) {
                FileHandle.standardError.write(
                    Data("\(r.method) \(r.path) -> \(r.status) \(String(decoding: r.body.prefix(400), as: UTF8.self))\n".utf8))
            }
            seen = requests.count
        }
    }
    await server.stop()
}
stop.wait()
task.cancel()
_ = sources
exit(0)
