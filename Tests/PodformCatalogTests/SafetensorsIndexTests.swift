import Foundation
import PodformCatalog
import PodformSizing
import XCTest

/// `model.safetensors.index.json` -> the checkpoint's bytes on disk (issue 16), or nothing a plan can believe.
final class SafetensorsIndexTests: XCTestCase {
    func size(_ json: String) -> Int64? {
        SafetensorsIndex.checkpointSize(json: Data(json.utf8), source: "s")?.bytes
    }

    func testTotalSizeIsRead() {
        XCTAssertEqual(
            size(#"{"metadata": {"total_size": 16060522496}, "weight_map": {"lm_head.weight": "model-00004-of-00004.safetensors"}}"#), 16_060_522_496)
        // Some writers store it as a float.
        XCTAssertEqual(size(#"{"metadata": {"total_size": 141107412992.0}, "weight_map": {}}"#), 141_107_412_992)
    }

    func testUnbelievableSizesAreNone() {
        for json in [
            #"{"weight_map": {}}"#, #"{"metadata": {}}"#, #"{"metadata": {"total_size": 0}}"#,
            #"{"metadata": {"total_size": -5}}"#, #"{"metadata": {"total_size": 1.5}}"#,
            #"{"metadata": {"total_size": true}}"#, #"{"metadata": {"total_size": "16060522496"}}"#,
            #"{"metadata": {"total_size": 1e300}}"#, "[]", "not json"
        ] {
            XCTAssertNil(size(json), json)
        }
    }
}
