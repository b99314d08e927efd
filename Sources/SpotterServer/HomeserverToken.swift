import Hummingbird

/// The homeserver's token (hs_token) on every Application Service request, checked from the
/// headers before a byte of the body is read: a missing token is 401 `M_UNAUTHORIZED`, a wrong one
/// 403 `M_FORBIDDEN`, and a refused request's large body is not read at all.
struct HomeserverToken: RouterMiddleware {
    typealias Context = SpotterRequestContext

    let api: MatrixAPI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refused = api.authorize(authorization: request.headers[.authorization],
                                       queryToken: request.uri.queryParameters["access_token"].map(String.init)) {
            BodyReader.closeIfUnread(request, context)
            return MatrixServer.response(refused)
        }
        return try await next(request, context)
    }
}

/// A path no route knows is 404 `M_UNRECOGNIZED` (the Application Service API's answer for what it
/// does not implement), whatever the method; its body is not read.
struct Unrecognized: RouterMiddleware {
    typealias Context = SpotterRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            BodyReader.closeIfUnread(request, context)
            return MatrixServer.response(MatrixAPI.unrecognized)
        }
    }
}
