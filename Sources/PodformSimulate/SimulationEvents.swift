import Foundation

/// The simulation's workers and its event queue (a binary heap on time).
enum WorkerKind { case pod, active, flex }
enum WorkerState { case stopped, starting, ready }

struct Worker {
    var kind: WorkerKind
    var state: WorkerState = .stopped
    var readyAt = -Double.infinity
    var sessionStart = 0.0
    var used = 0
    var prefillFree = 0.0
    /// Tokens each decoding sequence has produced since the worker started (all advance together).
    var progress = 0.0
    var lastAdvance = 0.0
    var decoding = MinHeap<Finishing>()
    var version = 0
    var idleVersion = 0
}

enum EventKind: UInt8 { case ready, prefillDone, decodeDone, idleCheck, queueCheck }

struct Event {
    var time: Double
    var seq: Int
    var kind: EventKind
    var worker: Int
    var value: Int
}

/// Events leave in time order; ties in the order they were scheduled.
extension Event: HeapOrdered {
    static func precedes(_ a: Event, _ b: Event) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }
}
