import Foundation

/// What one vLLM step (one forward pass of the replica) costs, term by term (seconds, one GPU).
struct StepCost: Sendable {
    var weightBytes: Double
    var kvBytes: Double
    var weightSeconds: Double
    var kvSeconds: Double
    /// Decode tokens' linear layers and attention at the decode compute rate.
    var decodeComputeSeconds: Double
    /// Prompt tokens' linear layers and attention at the prefill compute rate.
    var linearSeconds: Double
    var attentionSeconds: Double
    var allReduceSeconds: Double
    var overheadSeconds: Double

    var computeSeconds: Double { decodeComputeSeconds + linearSeconds + attentionSeconds }
    /// Fixed costs, then memory reads and tensor math overlapped (roofline).
    var totalSeconds: Double { overheadSeconds + allReduceSeconds + max(weightSeconds + kvSeconds, computeSeconds) }
}

extension ModelArchitecture {
    /// One step of a replica (`Specs/performance.md` §1.1): `decode` sequences add one token each at mean
    /// context `context`, and `prefillTokens` prompt tokens (queries seeing `prefillKeys` keys on average)
    /// ride in the same pass, as vLLM's chunked prefill schedules them. The weights are read once for all.
    func stepCost(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, decode: Double, context: Double,
        prefillTokens: Double = 0, prefillKeys: Double = 0, factors f: EfficiencyFactors
    ) -> StepCost {
        let t = Double(max(tp, 1)), d = max(decode, 0), p = max(prefillTokens, 0)
        let bandwidth = max(gpu.bandwidthGBps, 1) * 1e9 * f.decodeBandwidth
        let peak = max(peakFLOPS(weights, gpu: gpu), 1)
        let active = Double(parameterCount.active)
        let weightBytes = weightBytesRead(weights, tokens: max(d + p, 1)) / t
        let kvBytes = d * kvBytesReadPerGPU(kv, weights: weights, tp: tp, context: context)
        let decodeFLOPs = 2 * active * d + attentionFLOPs(queries: d, meanKeys: context, absorbed: true)
        let prefillRate = peak * f.prefillCompute
        return StepCost(
            weightBytes: weightBytes, kvBytes: kvBytes, weightSeconds: weightBytes / bandwidth, kvSeconds: kvBytes / bandwidth,
            decodeComputeSeconds: decodeFLOPs / t / (peak * f.compute),
            linearSeconds: 2 * active * p / t / prefillRate,
            attentionSeconds: attentionFLOPs(queries: p, meanKeys: prefillKeys) / t / prefillRate,
            allReduceSeconds: allReduceSeconds(tokens: max(d + p, 1), gpu: gpu, tp: tp, factors: f),
            overheadSeconds: Double(layers) * f.layerOverheadSeconds + d * f.sequenceOverheadSeconds)
    }

    /// One or more equal prefill chunks: `tokens` each, queries seeing `keys` keys on average, `count` of them.
    struct Chunk { var tokens: Double; var keys: Double; var count: Double }

    /// The chunks of a `prompt`-token prefill when `decode` sequences share each step's token budget:
    /// one per step, chunk j's queries seeing the j - 1 chunks before it. Past 64 chunks, runs of equal
    /// chunks are taken together (at their middle chunk's keys), so a 16M-token prompt costs 64 steps of
    /// arithmetic, not 2,000.
    static func chunks(prompt: Double, budget: Int, decode: Double) -> [Chunk] {
        let room = max(Double(max(budget, 1)) - (decode.isFinite ? decode : 0), Double(max(budget, 1)) / 8, 1)
        let p = max(prompt.isFinite ? prompt : 1, 1)
        let full = (p / room).rounded(.down), rest = p - full * room
        var out: [Chunk] = []
        let groups = min(full, 64), per = full / max(groups, 1)
        for g in 0..<Int(groups) {
            let first = Double(g) * per
            out.append(Chunk(tokens: room, keys: (first + per / 2) * room, count: per))
        }
        if rest > 0.5 || out.isEmpty { out.append(Chunk(tokens: max(rest, 1), keys: full * room + max(rest, 1) / 2, count: 1)) }
        return out
    }

    /// Steps a prefill takes.
    static func chunkCount(prompt: Double, budget: Int, decode: Double) -> Double {
        chunks(prompt: prompt, budget: budget, decode: decode).reduce(0) { $0 + $1.count }
    }

    /// Time the prefill of one `prompt`-token prompt adds to the steps it rides in (`Specs/performance.md`
    /// §1.2). Chunked prefill (vLLM V1): the chunks share steps with `batch` decodes, so only the extra
    /// compute beyond the step's memory time costs; prefill-first (V0): decodes pause and every chunk is
    /// a step of its own.
    func marginalPrefillSeconds(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, batch: Double,
        context: Double, prompt: Int, maxBatchedTokens: Int, factors f: EfficiencyFactors
    ) -> Double {
        let p = Double(max(prompt, 1))
        let sharing = f.chunkedPrefill ? batch : 0
        let base =
            f.chunkedPrefill
            ? stepCost(weights: weights, kv: kv, gpu: gpu, tp: tp, decode: batch, context: context, factors: f).totalSeconds : 0
        var total = 0.0
        for chunk in Self.chunks(prompt: p, budget: maxBatchedTokens, decode: sharing) {
            let step = stepCost(
                weights: weights, kv: kv, gpu: gpu, tp: tp, decode: sharing, context: context,
                prefillTokens: chunk.tokens, prefillKeys: chunk.keys, factors: f)
            total += chunk.count * (step.totalSeconds - base)
        }
        return max(total, 0)
    }

    /// One decode step at `batch` sequences of mean context `context`, with `prefillPerStep` prompts'
    /// prefill interleaved per step (`Specs/performance.md` §1.1).
    public func decodeStep(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, batch: Int, context: Double,
        prefill: PrefillBreakdown? = nil, prefillPerStep: Double = 0, maxBatchedTokens: Int = 8192, factors: EfficiencyFactors
    ) -> DecodeStepBreakdown {
        let b = Double(max(batch, 1))
        let s = stepCost(weights: weights, kv: kv, gpu: gpu, tp: tp, decode: b, context: context, factors: factors)
        let interleaved =
            prefill.map { pre in
                prefillPerStep
                    * marginalPrefillSeconds(
                        weights: weights, kv: kv, gpu: gpu, tp: tp, batch: b, context: context,
                        prompt: pre.promptTokens, maxBatchedTokens: maxBatchedTokens, factors: factors)
            } ?? 0
        return DecodeStepBreakdown(
            batch: max(batch, 1), weightBytesPerGPU: s.weightBytes, expertsTouched: expectedExpertsTouched(tokens: b),
            kvBytesPerGPU: s.kvBytes, weightSeconds: s.weightSeconds, kvSeconds: s.kvSeconds, computeSeconds: s.computeSeconds,
            allReduceSeconds: s.allReduceSeconds, overheadSeconds: s.overheadSeconds, interleavedPrefillSeconds: interleaved,
            stepSeconds: s.totalSeconds + interleaved)
    }

    /// The prefill of one prompt of `prompt` tokens on an idle replica, chunked at `maxBatchedTokens`:
    /// one step per chunk, each reading the weights (the experts its tokens touch) and doing the chunk's
    /// linear and causal-attention FLOPs (queries of chunk j see the j - 1 chunks before it).
    public func prefill(
        weights: WeightFormat, gpu: GPUPerformance, tp: Int, prompt: Int, maxBatchedTokens: Int = 8192,
        factors: EfficiencyFactors
    ) -> PrefillBreakdown {
        var linear = 0.0, attention = 0.0, weightRead = 0.0, comm = 0.0, overhead = 0.0, forward = 0.0, steps = 0.0
        for chunk in Self.chunks(prompt: Double(max(prompt, 1)), budget: maxBatchedTokens, decode: 0) {
            let s = stepCost(
                weights: weights, kv: .auto, gpu: gpu, tp: tp, decode: 0, context: 0, prefillTokens: chunk.tokens,
                prefillKeys: chunk.keys, factors: factors)
            let n = chunk.count
            linear += n * s.linearSeconds; attention += n * s.attentionSeconds; weightRead += n * s.weightSeconds
            comm += n * s.allReduceSeconds; overhead += n * s.overheadSeconds; forward += n * s.totalSeconds
            steps += n
        }
        return PrefillBreakdown(
            promptTokens: prompt, chunks: Int(saturating: steps), linearSeconds: linear, attentionSeconds: attention,
            weightReadSeconds: weightRead, allReduceSeconds: comm, overheadSeconds: overhead,
            requestSeconds: factors.requestSeconds, totalSeconds: forward + factors.requestSeconds)
    }
}

/// `n` prompts arriving at once, prefilled in steps of up to `max_num_batched_tokens` tokens.
struct BurstPrefill: Sendable {
    /// Mean time from the burst to a prompt's last prefill step (its first token).
    var meanCompletionSeconds: Double
    /// Time until the last prompt is prefilled.
    var totalSeconds: Double
    /// Mean, over prompts, of the prefill-step time spent after the prompt's own first token (what the
    /// prompts prefilled early wait through while they decode), and of the number of those steps.
    var meanSecondsAfter: Double
    var meanStepsAfter: Double
    /// Each step's time, and the step (1-based) in which each prompt, in arrival order, completes.
    var stepSeconds: [Double]
    var completionStep: [Int]
    /// Engine steps per entry of `stepSeconds` (1 unless the burst is longer than 4096 steps).
    var stepsPerEntry: Double = 1
}

extension ModelArchitecture {
    /// Packs `n` prompts of `prompt` tokens into steps of `maxBatchedTokens` tokens (`Specs/performance.md`
    /// §1.4). Chunked prefill (V1): prompts already prefilled decode in the following steps and take
    /// one token each of the budget; prefill-first (V0): the steps are prefill only.
    func burstPrefill(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, prompts n: Int, prompt: Int,
        maxBatchedTokens: Int, factors f: EfficiencyFactors
    ) -> BurstPrefill {
        let p = Double(max(prompt, 1)), count = min(max(n, 1), 1 << 20)
        let budget = Double(max(maxBatchedTokens, 1))
        // Past 4096 steps, runs of `macro` equal steps are taken together (total for any input).
        let macro = max(1, (Double(count) * p / budget / 4096).rounded(.up))
        var completed = 0, partial = 0.0, clock = 0.0
        var completions: [(time: Double, steps: Int)] = []  // per step: prompts completed there
        var stepTimes: [Double] = []
        while completed < count {
            let decoding = f.chunkedPrefill ? Double(completed) : 0
            var room = macro * max(budget - decoding, budget / 8)
            var tokens = 0.0, finished = 0
            while room > 0 && completed + finished < count {
                let take = min(room, p - partial)
                tokens += take; room -= take; partial += take
                if partial >= p - 1e-9 { finished += 1; partial = 0 }
            }
            let s = stepCost(
                weights: weights, kv: kv, gpu: gpu, tp: tp, decode: decoding, context: p,
                prefillTokens: tokens / macro, prefillKeys: p / 2, factors: f)
            clock += macro * s.totalSeconds
            stepTimes.append(macro * s.totalSeconds)
            for _ in 0..<finished { completions.append((clock, stepTimes.count)) }
            completed += finished
        }
        var suffix = [Double](repeating: 0, count: stepTimes.count + 1)
        for j in stride(from: stepTimes.count - 1, through: 0, by: -1) { suffix[j] = suffix[j + 1] + stepTimes[j] }
        let k = Double(count)
        return BurstPrefill(
            meanCompletionSeconds: completions.reduce(0) { $0 + $1.time } / k, totalSeconds: clock,
            meanSecondsAfter: completions.reduce(0) { $0 + suffix[$1.steps] } / k,
            meanStepsAfter: macro * completions.reduce(0) { $0 + Double(stepTimes.count - $1.steps) } / k,
            stepSeconds: stepTimes, completionStep: completions.map(\.steps), stepsPerEntry: macro)
    }
}
