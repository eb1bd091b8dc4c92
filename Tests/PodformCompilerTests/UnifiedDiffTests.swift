import XCTest

/// The golden-file helper's diff reads like `diff -u` (these expectations are GNU diff's output).
final class UnifiedDiffTests: XCTestCase {
    func testHunksMatchDiffU() {
        let a = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n", b = "a\nb\nC\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
        XCTAssertEqual(
            UnifiedDiff.lines(expected: a, actual: b, expectedName: "x", actualName: "y"),
            [
                "--- x", "+++ y",
                "@@ -1,6 +1,6 @@", " a", " b", "-c", "+C", " d", " e", " f",
                "@@ -10,3 +10,4 @@", " j", " k", " l", "+m"
            ])
        XCTAssertEqual(UnifiedDiff.lines(expected: "one\n", actual: "zero\none\n").dropFirst(2), ["@@ -1 +1,2 @@", "+zero", " one"])
        XCTAssertEqual(UnifiedDiff.lines(expected: "one\n", actual: "one\n"), [])
    }

    func testLongDiffsAreCutAndNewlineOnlyChangesShow() {
        let a = (1...100).map { "\($0)" }.joined(separator: "\n"), b = (1...100).map { "x\($0)" }.joined(separator: "\n")
        let diff = UnifiedDiff.lines(expected: a, actual: b, limit: 60)
        XCTAssertEqual(diff.count, 61)
        XCTAssertEqual(diff.last, "... 143 more diff lines")
        XCTAssertEqual(UnifiedDiff.lines(expected: "a\n", actual: "a", expectedName: "g").last, "\\ only g ends with a newline")
    }
}
