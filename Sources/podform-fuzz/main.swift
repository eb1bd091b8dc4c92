import Foundation
import PodformCore

#if canImport(Glibc)
    import Glibc
#endif

/// podform-fuzz: feeds mutated specs to the loader and validator and checks that every input ends
/// in diagnostics with a location, within a second, without crashing.
///
///     podform-fuzz [--inputs N] [--seed S] [--corpus DIR] [--crash-dir DIR] [--report FILE]
///
/// Seeds are the corpus's YAML files; mutations: byte flips, insertions and deletions, truncation,
/// line splicing across files, huge scalars, deep nesting, alias chains, wrong types, unicode, random
/// bytes. A crash or a hang writes the input to the crash directory (from a signal handler / a
/// watchdog) before the process dies, so it can be kept as a regression test.
var inputs = 100_000
var seed: UInt64 = 1
var corpusDir = "examples"
var crashDir = "fuzz-crashes"
var report: String?
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    guard !args.isEmpty else { FileHandle.standardError.write(Data("\(flag) needs a value\n".utf8)); exit(64) }
    let value = args.removeFirst()
    switch flag {
    case "--inputs": inputs = Int(value) ?? inputs
    case "--seed": seed = UInt64(value) ?? seed
    case "--corpus": corpusDir = value
    case "--crash-dir": crashDir = value
    case "--report": report = value
    default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(64)
    }
}

struct RNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
    mutating func int(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    mutating func chance(_ p: Int) -> Bool { int(100) < p }
}

let seeds: [[UInt8]] = ((try? FileManager.default.contentsOfDirectory(atPath: corpusDir)) ?? [])
    .filter { $0.hasSuffix(".yaml") }.sorted()
    .compactMap { FileManager.default.contents(atPath: (corpusDir as NSString).appendingPathComponent($0)).map { Array($0) } }
guard !seeds.isEmpty else { FileHandle.standardError.write(Data("no seeds in \(corpusDir)\n".utf8)); exit(64) }
try? FileManager.default.createDirectory(atPath: crashDir, withIntermediateDirectories: true)

// The input being processed, kept where a signal handler can write it out.
let capacity = 2 * 1_048_576
nonisolated(unsafe) let current = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
nonisolated(unsafe) var currentLength = 0
nonisolated(unsafe) var crashFD: Int32 = open("\(crashDir)/crash-input.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
nonisolated(unsafe) var startedAt = Date()
nonisolated(unsafe) var busy = false

for sig in [SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGABRT, SIGFPE] {
    signal(sig) { s in
        _ = write(crashFD, current, currentLength)
        let msg = "podform-fuzz: crash (signal \(s)); input saved\n"
        msg.withCString { _ = write(2, $0, strlen($0)) }
        _exit(2)
    }
}
// Watchdog: an input over 1 s is a hang.
Thread.detachNewThread {
    while true {
        Thread.sleep(forTimeInterval: 0.25)
        if busy && Date().timeIntervalSince(startedAt) > 1.0 {
            _ = write(crashFD, current, currentLength)
            FileHandle.standardError.write(Data("podform-fuzz: hang (over 1 s); input saved\n".utf8))
            _exit(3)
        }
    }
}

nonisolated(unsafe) var rng = RNG(state: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
let interesting: [[UInt8]] = [
    "&a [x, x, x]\n", "*a", "{", "[", "]", "}", ": ", "- ", "? ", "!!binary", "!!python/object", "\t", "\u{0}", "\u{FEFF}",
    "~", "null", "true", "1e999", "-0", "0x1F", ".inf", "NaN", "'", "\"", "#", "---\n", "...\n", "%YAML 1.2\n",
    "version: 2\n", "context: 8k\n", "context: 99999999999999999999k\n", "name: " + String(repeating: "x", count: 100) + "\n",
    "model: {id: " + String(repeating: "a/", count: 200) + "}\n", "🚀", "é", "\u{202E}", "\r\n", "<<: *a\n"
].map { Array($0.utf8) }

/// Mostly YAML-relevant printable ASCII, sometimes any byte (which usually makes the text invalid UTF-8).
func byte() -> UInt8 {
    if rng.chance(85) {
        let table = Array(" -:[]{}#&*!|>'\"%@`,?\n\tabcdefghijklmnopqrstuvwxyz0123456789._".utf8)
        return table[rng.int(table.count)]
    }
    return UInt8(truncatingIfNeeded: rng.next())
}

func mutate(_ input: [UInt8]) -> [UInt8] {
    var data = input
    let rounds = 1 + rng.int(8)
    for _ in 0..<rounds {
        switch rng.int(12) {
        case 0: if !data.isEmpty { data[rng.int(data.count)] = byte() }
        case 1: data.insert(byte(), at: rng.int(data.count + 1))
        case 2: if !data.isEmpty { data.remove(at: rng.int(data.count)) }
        case 3: data = Array(data.prefix(rng.int(data.count + 1)))
        case 4: data.insert(contentsOf: interesting[rng.int(interesting.count)], at: rng.int(data.count + 1))
        case 5:  // splice lines from another seed
            let other = seeds[rng.int(seeds.count)]
            let a = rng.int(other.count + 1), b = min(other.count, a + rng.int(200))
            data.insert(contentsOf: other[a..<b], at: rng.int(data.count + 1))
        case 6:  // huge scalar: usually 20 KB, sometimes past the 1 MiB limit
            let size = rng.chance(2) ? 1_100_000 : rng.int(20_000)
            data.insert(contentsOf: Array(repeating: UInt8(ascii: "x"), count: size), at: rng.int(data.count + 1))
        case 7:  // deep nesting
            let depth = rng.int(3000)
            let open: UInt8 = rng.chance(50) ? UInt8(ascii: "[") : UInt8(ascii: "{")
            data.insert(contentsOf: Array(repeating: open, count: depth), at: rng.int(data.count + 1))
        case 8:  // alias chain
            var chain = "a0: &a0 [x, x]\n"
            for i in 1..<(2 + rng.int(80)) { chain += "a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]\n" }
            data.insert(contentsOf: Array(chain.utf8), at: 0)
        case 9:  // swap a value for another type
            if let colon = data.indices.filter({ data[$0] == UInt8(ascii: ":") }).randomElement(using: &SystemRNGBridge.shared) {
                let replacement = ["[1, 2]", "{a: b}", "~", "-1", "1.5", "\"x\"", "true", "8 kb"][rng.int(8)]
                data.insert(contentsOf: Array((" " + replacement).utf8), at: colon + 1)
            }
        case 10:  // block indentation bomb
            var lines: [UInt8] = []
            let count = rng.chance(10) ? 600 : rng.int(60)
            for i in 0..<count { lines += Array(repeating: 32, count: i) + Array("k\(i):\n".utf8) }
            data.insert(contentsOf: lines, at: rng.int(data.count + 1))
        default:  // random bytes
            data = (0..<rng.int(4096)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
    }
    return data
}

/// Lets Array.randomElement use the fuzzer's seeded generator deterministically.
struct SystemRNGBridge: RandomNumberGenerator {
    nonisolated(unsafe) static var shared = SystemRNGBridge()
    mutating func next() -> UInt64 { rng.next() }
}

let environment = ValidationEnvironment.empty
var unlocated = 0
var maxSeconds = 0.0
var codes: [String: Int] = [:]
var accepted = 0
let started = Date()
for i in 0..<inputs {
    let bytes = i < seeds.count ? seeds[i] : mutate(seeds[rng.int(seeds.count)])
    let length = min(bytes.count, capacity)
    bytes.withUnsafeBufferPointer { current.update(from: $0.baseAddress!, count: length) }
    currentLength = length
    // The CLI reads files the same way: bytes -> UTF-8 text (invalid bytes are not-text), then the core.
    startedAt = Date()
    busy = true
    let diagnostics: [Diagnostic]
    if bytes.contains(0) {
        diagnostics = [Diagnostic(.error, code: "not-text", message: "binary", at: SourceLocation(file: "fuzz.yaml", line: 1, column: 1))]
    } else if let text = String(bytes: bytes, encoding: .utf8) {
        diagnostics = Spec.validate(path: "fuzz.yaml", text: text, environment: environment).1
    } else {
        diagnostics = [Diagnostic(.error, code: "not-text", message: "invalid UTF-8", at: SourceLocation(file: "fuzz.yaml", line: 1, column: 1))]
    }
    busy = false
    let seconds = Date().timeIntervalSince(startedAt)
    maxSeconds = max(maxSeconds, seconds)
    if diagnostics.isEmpty { accepted += 1 }
    for d in diagnostics {
        codes[d.code, default: 0] += 1
        if d.location.line <= 0 || d.location.column <= 0 {
            unlocated += 1
            let url = URL(fileURLWithPath: "\(crashDir)/unlocated-\(i).yaml")
            try? Data(bytes).write(to: url)
        }
    }
    if i > 0 && i % 100_000 == 0 {
        FileHandle.standardError.write(Data("\(i) inputs, \(Int(Date().timeIntervalSince(started))) s\n".utf8))
    }
}
close(crashFD)
try? FileManager.default.removeItem(atPath: "\(crashDir)/crash-input.yaml")
let total = Date().timeIntervalSince(started)
let top = codes.sorted { $0.value > $1.value }.prefix(12).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
let summary = """
    inputs: \(inputs) (seed \(seed), \(seeds.count) seed files)
    crashes: 0, hangs (> 1 s): 0, diagnostics without a location: \(unlocated)
    accepted without diagnostics: \(accepted)
    slowest input: \(String(format: "%.1f", maxSeconds * 1000)) ms; total \(String(format: "%.1f", total)) s (\(String(format: "%.0f", Double(inputs) / total)) inputs/s)
    most frequent codes: \(top)

    """
print(summary, terminator: "")
if let report { try? summary.write(toFile: report, atomically: true, encoding: .utf8) }
exit(unlocated == 0 ? 0 : 1)
