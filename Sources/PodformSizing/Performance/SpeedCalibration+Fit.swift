import Foundation

extension SpeedCalibration {
    /// Squared log error of predicted vs measured TPOT and output throughput.
    static func decodeLoss(_ rows: [SpeedObservation], _ c: SpeedCalibration) -> Double {
        var loss = 0.0
        for row in rows {
            let p = row.predict(c)
            if let m = row.tpotMs, m > 0 { loss += pow(log(p.tpotMs / m), 2) }
            if let m = row.outputTokensPerSecond, m > 0 { loss += pow(log(p.outputTokensPerSecond / m), 2) }
        }
        return loss
    }

    static func ttftLoss(_ rows: [SpeedObservation], _ c: SpeedCalibration) -> Double {
        var loss = 0.0
        for row in rows {
            guard let m = row.ttftMs, m > 0 else { continue }
            let p = row.predict(c)
            if p.ttftScored && row.ttftPlausible { loss += pow(log(p.ttftMs / m), 2) }
        }
        return loss
    }

    /// Whether a row's TTFT is scored (not queueing behind a saturated engine or a burst).
    static func ttftRow(_ row: SpeedObservation) -> Bool {
        guard row.ttftMs != nil, row.ttftPlausible else { return false }
        if case .burst = row.load { return false }
        return true
    }

    static func decodeRow(_ row: SpeedObservation) -> Bool { row.tpotMs != nil || row.outputTokensPerSecond != nil }

    static func argmin(_ grid: [Double], _ loss: (Double) -> Double) -> Double {
        var best = grid[0], bestLoss = Double.infinity
        for v in grid {
            let l = loss(v)
            if l < bestLoss - 1e-12 { best = v; bestLoss = l }
        }
        return best
    }

    /// Fits every factor on `rows` by coordinate descent on squared log errors (grids, so the
    /// result is deterministic): decode bandwidth per GPU architecture x kernel family and per-layer
    /// overhead per model class on TPOT and output throughput; prefill compute per class and the
    /// request overhead on TTFT. Keys whose rows come from a single benchmark row are still fitted,
    /// but their range is widened (`range(_:)`).
    public static func fit(_ rows: [SpeedObservation], rounds: Int = 4) -> SpeedCalibration {
        let decodeRows = rows.filter(decodeRow)
        let ttftRows = rows.filter(ttftRow)
        let bandwidthKeys = Set(decodeRows.map(\.bandwidthKey)).sorted()
        let classes = Set(decodeRows.map(\.classKey)).sorted()
        let prefillClasses = Set((ttftRows + decodeRows).map(\.classKey)).sorted()
        let links = Set(decodeRows.compactMap(\.linkKey)).sorted()
        func ids(_ r: [SpeedObservation]) -> [String] { r.map(\.id) }
        var c = SpeedCalibration(
            decodeBandwidth: Dictionary(uniqueKeysWithValues: bandwidthKeys.map { k in
                (k, Factor(value: 0.7, spread: [1, 1], rows: ids(decodeRows.filter { $0.bandwidthKey == k }))) }),
            layerOverhead: Dictionary(uniqueKeysWithValues: classes.map { k in
                (k, Factor(value: 20e-6, spread: [1, 1], rows: ids(decodeRows.filter { $0.classKey == k }))) }),
            prefillCompute: Dictionary(uniqueKeysWithValues: prefillClasses.map { k in
                (k, Factor(value: 0.5, spread: [1, 1], rows: ids(rows.filter { $0.classKey == k && (ttftRow($0) || decodeRow($0)) }))) }),
            requestSeconds: Factor(value: 0.02, spread: [1, 1], rows: ids(ttftRows)))
        c.allReduceLatency = Dictionary(uniqueKeysWithValues: links.map { k in
            (k, Factor(value: 10e-6, spread: [1, 1], rows: ids(decodeRows.filter { $0.linkKey == k }))) })
        let bandwidthGrid = stride(from: 0.10, through: 1.0, by: 0.01).map { ($0 * 100).rounded() / 100 }
        // Grid values are exact decimals (so the generated source round-trips them).
        let overheadGrid = (0...300).map { Double($0 * 2) / 1e6 }
        let latencyGrid = (0...200).map { Double($0 * 2) / 1e6 }
        let prefillGrid = (0...100).map { i in (pow(10, -2 + 2 * Double(i) / 100) * 1000).rounded() / 1000 }.filter { $0 <= 1 }
        let requestGrid = stride(from: 0.0, through: 0.2, by: 0.002).map { ($0 * 1000).rounded() / 1000 }
        for _ in 0..<rounds {
            for k in bandwidthKeys {
                let subset = decodeRows.filter { $0.bandwidthKey == k }
                c.decodeBandwidth[k]!.value = argmin(bandwidthGrid) { v in
                    var t = c; t.decodeBandwidth[k]!.value = v; return decodeLoss(subset, t)
                }
            }
            for k in classes {
                let subset = decodeRows.filter { $0.classKey == k }
                c.layerOverhead[k]!.value = argmin(overheadGrid) { v in
                    var t = c; t.layerOverhead[k]!.value = v; return decodeLoss(subset, t)
                }
            }
            for k in links {
                let subset = decodeRows.filter { $0.linkKey == k }
                c.allReduceLatency[k]!.value = argmin(latencyGrid) { v in
                    var t = c; t.allReduceLatency[k]!.value = v; return decodeLoss(subset, t)
                }
            }
            // Prefill compute shows in TTFT and, through the prefills interleaved with decode, in
            // TPOT and throughput (long-prompt burst rows).
            for k in prefillClasses {
                let ttftSubset = ttftRows.filter { $0.classKey == k }
                let decodeSubset = decodeRows.filter { $0.classKey == k }
                c.prefillCompute[k]!.value = argmin(prefillGrid) { v in
                    var t = c; t.prefillCompute[k]!.value = v; return ttftLoss(ttftSubset, t) + decodeLoss(decodeSubset, t)
                }
            }
            if !ttftRows.isEmpty {
                c.requestSeconds.value = argmin(requestGrid) { v in
                    var t = c; t.requestSeconds.value = v; return ttftLoss(ttftRows, t)
                }
            }
        }
        // Spreads: measured / predicted over each key's rows.
        func speedRatio(_ r: SpeedObservation) -> Double? {
            let p = r.predict(c)
            if let m = r.tpotMs { return p.tpotMs / m }
            if let m = r.outputTokensPerSecond { return m / p.outputTokensPerSecond }
            return nil
        }
        func spread(_ values: [Double]) -> [Double] {
            // Nothing measured this quantity (a prefill factor fitted only through TPOT): widest range.
            guard let lo = values.min(), let hi = values.max() else { return [0.5, 2] }
            return [(lo * 1000).rounded(.down) / 1000, (hi * 1000).rounded(.up) / 1000]
        }
        for k in bandwidthKeys {
            c.decodeBandwidth[k]!.spread = spread(decodeRows.filter { $0.bandwidthKey == k }.compactMap(speedRatio))
        }
        for k in classes {
            c.layerOverhead[k]!.spread = spread(decodeRows.filter { $0.classKey == k }.compactMap(speedRatio))
        }
        for k in links {
            c.allReduceLatency[k]!.spread = spread(decodeRows.filter { $0.linkKey == k }.compactMap(speedRatio))
        }
        func ttftRatio(_ r: SpeedObservation) -> Double? {
            let p = r.predict(c)
            guard let m = r.ttftMs, p.ttftScored, r.ttftPlausible else { return nil }
            return m / p.ttftMs
        }
        for k in prefillClasses {
            c.prefillCompute[k]!.spread = spread(ttftRows.filter { $0.classKey == k }.compactMap(ttftRatio))
        }
        c.requestSeconds.spread = spread(ttftRows.compactMap(ttftRatio))
        return c
    }

    /// Swift source of a calibration (what `podform-bench speed --write` writes to
    /// `SpeedCalibration+Fitted.swift`).
    public func swiftSource(header: String) -> String {
        func factor(_ f: Factor, indent: String) -> String {
            let rows = f.rows.map { "\"\($0)\"" }.joined(separator: ", ")
            return "Factor(value: \(fmt(f.value)), spread: [\(fmt(f.spread[0])), \(fmt(f.spread[1]))],\n\(indent)       rows: [\(rows)])"
        }
        func table(_ t: [String: Factor]) -> String {
            if t.isEmpty { return "        :" }
            return t.keys.sorted().map { "        \"\($0)\": \(factor(t[$0]!, indent: "        "))," }.joined(separator: "\n")
        }
        return """
        \(header)
        extension SpeedCalibration {
            /// Fitted by `swift run -c release podform-bench speed --write` on the vLLM rows of
            /// `Benchmarks/data/serving_benchmarks.csv` and `Benchmarks/data/throughput_calibration.csv`.
            public static let fitted = SpeedCalibration(
                decodeBandwidth: [
        \(table(decodeBandwidth))
                ],
                layerOverhead: [
        \(table(layerOverhead))
                ],
                prefillCompute: [
        \(table(prefillCompute))
                ],
                requestSeconds: \(factor(requestSeconds, indent: "        ")),
                allReduceLatency: [
        \(table(allReduceLatency))
                ])
        }

        """
    }

    private func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        return String(format: "%.6g", v)
    }
}
