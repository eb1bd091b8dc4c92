/// What the Dockerfile renderer asks an engine to build.
public struct ImageBuild: Sendable, Hashable {
    /// How the image starts the engine: pod (`server`) or serverless (`worker`).
    public var style: LaunchStyle
    /// The plan's image; the recipe's base is this one unless it cannot run in `style`.
    public var image: String
    public var launch: EngineLaunch
    /// Download the model into the image at build time.
    public var bakeWeights: Bool
    /// Put the host driver first on LD_LIBRARY_PATH (seed 003).
    public var cudaCompatFix: Bool

    public init(style: LaunchStyle, image: String, launch: EngineLaunch, bakeWeights: Bool, cudaCompatFix: Bool) {
        self.style = style
        self.image = image
        self.launch = launch
        self.bakeWeights = bakeWeights
        self.cudaCompatFix = cudaCompatFix
    }
}

/// An engine's part of a Dockerfile: the lines after `FROM`, as values the renderer writes.
///
/// The renderer trusts none of the plan's values: it validates and quotes every `env` entry and
/// writes every `exec` argument as an element of a JSON array. `text` lines are the engine's own
/// constants (comments, `COPY`, a shell step with no plan value in it) and numbers only.
public struct DockerfileRecipe: Sendable, Hashable {
    public enum Line: Sendable, Hashable {
        /// A constant line, written as is.
        case text(String)
        /// `ENV` lines for these variables.
        case env([String: String])
        /// An exec-form instruction: the instruction (with its flags), then `argv` as a JSON array.
        case exec(String, [String])
    }

    /// The `FROM` image.
    public var base: String
    public var lines: [Line]
    /// Other files of the build context, name -> contents.
    public var files: [String: String]
    /// BuildKit secrets the build reads (`docker build --secret id=NAME,env=NAME`).
    public var buildSecrets: [String]

    public init(base: String, lines: [Line], files: [String: String] = [:], buildSecrets: [String] = []) {
        self.base = base
        self.lines = lines
        self.files = files
        self.buildSecrets = buildSecrets
    }
}
