import Foundation

extension SpeedCalibration {
    /// The loss of one prediction: the absolute log error (L1, so the fit follows the median row, as the
    /// targets do, and a row whose published setup differs pulls no harder than any other).
    static func loss(_ predicted: Double, _ measured: Double) -> Double { abs(log(predicted / measured)) }

    /// Log error of one row: TPOT and output throughput (`decode`), TTFT where scored (`ttft`), from one
    /// prediction.
    public static func rowLoss(_ row: SpeedObservation, _ c: SpeedCalibration, decode: Bool, ttft: Bool) -> Double {
        let p = row.predict(c)
        var loss = 0.0
        if decode, let m = row.tpotMs, m > 0 { loss += Self.loss(p.tpotMs, m) }
        if decode, let m = row.outputTokensPerSecond, m > 0 { loss += Self.loss(p.outputTokensPerSecond, m) }
        if ttft, let m = row.ttftMs, m > 0, p.ttftScored, row.ttftPlausible { loss += Self.loss(p.ttftMs, m) }
        return loss
    }

    /// Whether a row's TTFT is scored (not queueing behind a saturated engine or a burst).
    public static func ttftRow(_ row: SpeedObservation) -> Bool {
        guard row.ttftMs != nil, row.ttftPlausible else { return false }
        if case .burst = row.load { return false }
        return true
    }

    static func decodeRow(_ row: SpeedObservation) -> Bool { row.tpotMs != nil || row.outputTokensPerSecond != nil }

    /// The grid value with the least loss: every `stride`-th value first, then every value within one
    /// stride of the best of those (coarse to fine; deterministic).
    static func argmin(_ grid: [Double], _ loss: (Double) -> Double) -> Double {
        let stride = max(1, Int(Double(grid.count).squareRoot().rounded(.down)))
        var best = 0, bestLoss = Double.infinity
        func visit(_ i: Int) {
            let l = loss(grid[i])
            if l < bestLoss - 1e-12 || (abs(l - bestLoss) <= 1e-12 && i < best) { best = i; bestLoss = l }
        }
        for i in Swift.stride(from: 0, to: grid.count, by: stride) { visit(i) }
        let center = best
        for i in max(0, center - stride + 1)..<min(grid.count, center + stride) where i % stride != 0 { visit(i) }
        return grid[best]
    }

    /// `0` (when `zero`) then `count` log-spaced values from `low` to `high`, each an exact 3-digit
    /// decimal (so the generated source round-trips it).
    static func logGrid(_ low: Double, _ high: Double, count: Int, zero: Bool = true) -> [Double] {
        let values = (0..<count).map { i in
            Double(String(format: "%.3g", low * pow(high / low, Double(i) / Double(count - 1))))!
        }
        return (zero ? [0] : []) + values.reduce(into: [Double]()) { if $0.last != $1 { $0.append($1) } }
    }

    /// One factor table to fit: its keys, which rows each key owns, its grid, and what it is scored on.
    struct Coordinate {
        var table: WritableKeyPath<SpeedCalibration, [String: Factor]>
        var grid: [Double]
        var start: Double
        var owner: (SpeedObservation) -> String?
        var decode = true
        var ttft = false
        /// The least value a key may take (all-reduce latency: the link's own).
        var floor: ([SpeedObservation]) -> Double = { _ in -Double.infinity }
    }

    static var coordinates: [Coordinate] {
        [
            Coordinate(
                table: \.decodeBandwidth, grid: stride(from: 0.10, through: 1.0, by: 0.01).map { ($0 * 100).rounded() / 100 },
                start: 0.5, owner: { decodeRow($0) ? $0.bandwidthKey : nil }),
            Coordinate(table: \.layerOverhead, grid: logGrid(1e-6, 1e-3, count: 120), start: 5e-5, owner: { decodeRow($0) ? $0.classKey : nil }),
            Coordinate(
                table: \.sequenceOverhead, grid: logGrid(1e-7, 1e-4, count: 120), start: 2e-5,
                owner: { decodeRow($0) ? $0.generation : nil }),
            Coordinate(
                table: \.allReduceLatency, grid: logGrid(1e-6, 1e-3, count: 120), start: 1e-5,
                owner: { decodeRow($0) ? $0.linkKey : nil },
                floor: { rows in rows.first.map { LinkFigures.of($0.gpu, tp: $0.tp).latencySeconds } ?? 0 }),
            // Prefill compute shows in TTFT and, through the prefills riding in decode steps, in TPOT and
            // throughput (long-prompt burst rows).
            Coordinate(
                table: \.prefillCompute, grid: logGrid(0.01, 1, count: 101, zero: false), start: 0.5,
                owner: { decodeRow($0) || ttftRow($0) ? $0.classKey : nil }, ttft: true),
            Coordinate(
                table: \.requestOverhead, grid: logGrid(5e-4, 0.3, count: 100), start: 0.02,
                owner: { ttftRow($0) ? $0.endpoint.rawValue : nil }, decode: false, ttft: true)
        ]
    }

    /// Fits every factor on `rows` by coordinate descent on absolute log errors over grids (deterministic):
    /// decode bandwidth per GPU architecture x kernel family, per-layer overhead per model class, per-sequence
    /// overhead per vLLM generation and all-reduce latency per link on TPOT and output throughput; prefill
    /// compute per class on TTFT and throughput; the request overhead per endpoint on TTFT. Keys whose rows
    /// come from a single benchmark row are still fitted, but their range is widened (`range(_:)`).
    /// Rounds of coordinate descent: the committed fit runs to convergence; hold-out refits stop earlier
    /// (what they lose is in `BENCHMARKS.md`'s hold-out tables, not in the plans).
    public static let fitRounds = 16, holdOutRounds = 3

    /// `start`: begin from these values where they have the key (a converged fit is a fixed point: one
    /// round from it changes nothing, which is how `SpeedModelTests` checks the committed table cheaply).
    public static func fit(_ rows: [SpeedObservation], rounds: Int = fitRounds, start: SpeedCalibration? = nil) -> SpeedCalibration {
        var c = SpeedCalibration(decodeBandwidth: [:], layerOverhead: [:], prefillCompute: [:], requestOverhead: [:])
        var owned: [[(key: String, rows: [SpeedObservation])]] = []
        for coordinate in coordinates {
            let keys = Set(rows.compactMap(coordinate.owner)).sorted()
            let groups = keys.map { k in (key: k, rows: rows.filter { coordinate.owner($0) == k }) }
            c[keyPath: coordinate.table] = Dictionary(
                uniqueKeysWithValues: groups.map { g in
                    let value = start?[keyPath: coordinate.table][g.key]?.value ?? coordinate.start
                    return (g.key, Factor(value: value, spread: [1, 1], rows: g.rows.map(\.id)))
                })
            owned.append(groups)
        }
        let coordinates = Self.coordinates
        for _ in 0..<rounds {
            let before = c
            for (coordinate, groups) in zip(coordinates, owned) {
                for (key, subset) in groups {
                    let floor = coordinate.floor(subset)
                    c[keyPath: coordinate.table][key]!.value = argmin(coordinate.grid.filter { $0 >= floor - 1e-12 }) { v in
                        var t = c
                        t[keyPath: coordinate.table][key]!.value = v
                        return subset.reduce(0) { $0 + rowLoss($1, t, decode: coordinate.decode, ttft: coordinate.ttft) }
                    }
                }
            }
            if c == before { break }
            c = accelerated(from: before, to: c, rows: rows, owned: owned)
        }
        return c.withSpreads(owned)
    }

    /// Every row's loss: TPOT and throughput, and TTFT where scored.
    static func totalLoss(_ rows: [SpeedObservation], _ c: SpeedCalibration) -> Double {
        rows.reduce(0) { $0 + rowLoss($1, c, decode: true, ttft: ttftRow($1)) }
    }

    /// Coupled factors (bandwidth against per-layer and per-sequence overheads) creep along a valley one
    /// grid step per round of coordinate descent; after a round, repeat its whole move (`k` times, along each
    /// grid) while that lowers the total loss (a pattern search step: deterministic, on the grids).
    static func accelerated(
        from old: SpeedCalibration, to new: SpeedCalibration, rows: [SpeedObservation],
        owned: [[(key: String, rows: [SpeedObservation])]]
    ) -> SpeedCalibration {
        var best = new, bestLoss = totalLoss(rows, new)
        for k in [1, 2, 4] {
            var t = new
            for (coordinate, groups) in zip(coordinates, owned) {
                for (key, subset) in groups {
                    let grid = coordinate.grid.filter { $0 >= coordinate.floor(subset) - 1e-12 }
                    guard let i = grid.firstIndex(of: new[keyPath: coordinate.table][key]!.value),
                        let j = grid.firstIndex(of: old[keyPath: coordinate.table][key]!.value)
                    else { continue }
                    t[keyPath: coordinate.table][key]!.value = grid[min(max(i + k * (i - j), 0), grid.count - 1)]
                }
            }
            let loss = totalLoss(rows, t)
            guard loss < bestLoss - 1e-9 else { break }
            best = t; bestLoss = loss
        }
        return best
    }

    /// Each factor's spread: measured / predicted per-user speed (or throughput) over its rows, or TTFT
    /// for the factors fitted on TTFT.
    func withSpreads(_ owned: [[(key: String, rows: [SpeedObservation])]]) -> SpeedCalibration {
        var c = self
        func ratio(_ r: SpeedObservation, ttft: Bool) -> Double? {
            let p = r.predict(self)
            if ttft {
                guard let m = r.ttftMs, p.ttftScored, r.ttftPlausible else { return nil }
                return m / p.ttftMs
            }
            if let m = r.tpotMs { return p.tpotMs / m }
            return r.outputTokensPerSecond.map { $0 / p.outputTokensPerSecond }
        }
        for (coordinate, groups) in zip(Self.coordinates, owned) {
            for (key, rows) in groups {
                let values = rows.compactMap { ratio($0, ttft: coordinate.ttft) }
                // Nothing measured this quantity (a prefill factor fitted only through TPOT): widest range.
                guard let lo = values.min(), let hi = values.max() else { c[keyPath: coordinate.table][key]!.spread = [0.5, 2]; continue }
                c[keyPath: coordinate.table][key]!.spread = [(lo * 1000).rounded(.down) / 1000, (hi * 1000).rounded(.up) / 1000]
            }
        }
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
                    requestOverhead: [
            \(table(requestOverhead))
                    ],
                    allReduceLatency: [
            \(table(allReduceLatency))
                    ],
                    sequenceOverhead: [
            \(table(sequenceOverhead))
                    ])
            }

            """
    }

    private func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        return String(format: "%.6g", v)
    }
}
