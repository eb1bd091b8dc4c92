import XCTest

@testable import PodformSimulate

/// The simulator's one priority queue against the standard library's sort (which podform did not write).
final class MinHeapTests: XCTestCase {
    func testEventsLeaveInTimeOrderAndTiesInScheduleOrder() {
        var generator = SplitMix64(seed: 7)
        var heap = MinHeap<Event>()
        var pushed: [Event] = []
        for seq in 0..<5_000 {
            // Times on a coarse grid so that many events tie.
            let e = Event(time: Double(generator.next() % 200) / 4, seq: seq, kind: .ready, worker: 0, value: seq)
            heap.push(e)
            pushed.append(e)
            if seq % 3 == 0 {
                let top = heap.pop()
                let smallest = pushed.min { ($0.time, $0.seq) < ($1.time, $1.seq) }
                XCTAssertEqual(top.seq, smallest?.seq)
                pushed.removeAll { $0.seq == top.seq }
            }
        }
        var popped: [Int] = []
        while !heap.isEmpty { popped.append(heap.pop().seq) }
        let expected = pushed.sorted { ($0.time, $0.seq) < ($1.time, $1.seq) }.map(\.seq)
        XCTAssertEqual(popped, expected)
    }

    func testTheNextSequenceToFinishIsOnTop() {
        var heap = MinHeap<Finishing>()
        for (i, finish) in [40.0, 3, 17, 3.5, 900, 0.25].enumerated() { heap.push(Finishing(finish: finish, request: i)) }
        XCTAssertEqual(heap.count, 6)
        XCTAssertEqual(heap.first?.request, 5)
        var order: [Int] = []
        while !heap.isEmpty { order.append(heap.pop().request) }
        XCTAssertEqual(order, [5, 1, 3, 2, 0, 4])
    }
}
