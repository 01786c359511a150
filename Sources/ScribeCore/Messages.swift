/// The messages people see when a job fails (SPEC §3): kept in one place, word for word.
public enum Messages {
    public static let githubTokenMissing = "GitHub token not available. Please reconnect your GitHub account in Settings."
    public static let githubTokenInvalid = "GitHub token is invalid or expired. Please reconnect your GitHub account."
    public static func repositoryNotFound(_ url: String) -> String { "Repository not found: \(url)" }
    public static let repositoryEmpty = "Repository appears to be empty or inaccessible"
    public static let noLLMKey = "No LLM API key configured"
    public static let alreadyInProgress = "Documentation generation is already in progress"
    public static let started = "Documentation generation started"
    public static let workerLost = "The worker stopped without finishing the job"
    public static let leaseExpired = "The worker stopped sending heartbeats"
}
