import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The questions service: the store's FAQ, in categories and in the order editors choose,
/// with full-text search; a demo FAQ on the first embedded start.
public struct QuestionsService: ComptoirService {
    public static let id = ServiceID.questions

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
    }

    public var migrations: [any Migration] { [CreateQuestions()] }

    public func declare(_ api: ServiceAPI) {
        QuestionRoutes(environment: environment).declare(api)
    }

    public func prepare() async throws {
        if environment.loadDemoData { try await DemoFAQ.loadIfEmpty(environment) }
    }
}
