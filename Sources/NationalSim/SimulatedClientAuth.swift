import Core
import Foundation
import Hummingbird

/// The client id and secret a token request carries, as the stand-ins' token endpoints accept them:
/// `client_secret_basic` (form-encoded inside Basic, RFC 6749 §2.3.1) or `client_secret_post`.
enum SimulatedClientAuth {
    static func credentials(_ request: Request, form: FormFields) -> (id: String?, secret: String?) {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
           let colon = decoded.firstIndex(of: ":") {
            return (FormFields.decode(decoded[..<colon]), FormFields.decode(decoded[decoded.index(after: colon)...]))
        }
        return (form["client_id"], form["client_secret"])
    }
}
