import HTTPTypes
import Hummingbird

/// Applies the web configuration to every request: basic auth when users are configured, and the
/// configured extra response headers.
struct WebConfigurationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: BasicAuthenticator?
    let headers: [(HTTPField.Name, String)]

    init(configuration: WebConfiguration) {
        authenticator = configuration.basicAuthUsers.isEmpty ? nil : BasicAuthenticator(users: configuration.basicAuthUsers)
        headers = configuration.headers.compactMap { name, value in HTTPField.Name(name).map { ($0, value) } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let authenticator, await !authenticator.isAuthorized(request.headers[.authorization]) {
            var response = Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: #"Basic realm="usage-exporter", charset="UTF-8""#, .contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Unauthorized\n"))
            )
            add(to: &response)
            return response
        }
        var response = try await next(request, context)
        add(to: &response)
        return response
    }

    private func add(to response: inout Response) {
        for (name, value) in headers { response.headers[name] = value }
    }
}
