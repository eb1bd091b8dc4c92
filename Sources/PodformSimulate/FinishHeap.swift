/// The sequences one worker is decoding, as a binary min-heap on the progress (tokens since the worker
/// started) at which each finishes: every sequence advances together, so the next to finish is the top.
struct FinishHeap {
    private(set) var items: [(finish: Double, request: Int)] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: (finish: Double, request: Int)? { items.first }

    mutating func push(_ finish: Double, _ request: Int) {
        items.append((finish, request))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[p].finish <= items[i].finish { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (finish: Double, request: Int) {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l].finish < items[m].finish { m = l }
                if r < items.count && items[r].finish < items[m].finish { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
