/// An order for `MinHeap`: `precedes(a, b)` when `a` must leave the heap before `b`.
protocol HeapOrdered {
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

/// A binary min-heap: `first` is an element that no other precedes. One type serves the event queue
/// (on time, then sequence number) and each worker's decoding sequences (on the progress at which
/// each finishes: every sequence advances together, so the next to finish is the top).
struct MinHeap<Element: HeapOrdered> {
    private(set) var items: [Element] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: Element? { items.first }

    mutating func push(_ element: Element) {
        items.append(element)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !Element.precedes(items[i], items[p]) { break }
            items.swapAt(i, p)
            i = p
        }
    }

    /// Removes and returns the top. The heap must not be empty.
    mutating func pop() -> Element {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && Element.precedes(items[l], items[m]) { m = l }
                if r < items.count && Element.precedes(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}

/// A sequence a worker is decoding: the worker progress (tokens since it started) at which it finishes.
struct Finishing: HeapOrdered {
    var finish: Double
    var request: Int

    static func precedes(_ a: Finishing, _ b: Finishing) -> Bool { a.finish < b.finish }
}
