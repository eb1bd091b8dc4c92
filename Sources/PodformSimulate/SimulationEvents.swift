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
    var decoding = FinishHeap()
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

/// A binary min-heap on (time, seq).
struct EventHeap {
    var items: [Event] = []
    var isEmpty: Bool { items.isEmpty }
    var first: Event? { items.first }

    static func less(_ a: Event, _ b: Event) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }

    mutating func push(_ e: Event) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !Self.less(items[i], items[p]) { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Event {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && Self.less(items[l], items[m]) { m = l }
                if r < items.count && Self.less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
