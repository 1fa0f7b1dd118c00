import ArgumentParser
import Core
import Foundation
import Logging
import NationalSim

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Chạy các hệ thống mô phỏng nền tảng quốc gia (VDXP/VNeID, từ điển dữ liệu) cho phát triển và trình diễn.",
        discussion: """
            Mặc định đăng ký hai client cho nền tảng chạy tại --platform-url: "lgsp" (hồ sơ oidc, có ID token) và \
            "lgsp-userinfo" (hồ sơ userinfo). Dùng cùng tệp seed-data/national-sim/identity-providers.dev.json:
              lgsp sim &
              lgsp serve --identity-providers seed-data/national-sim/identity-providers.dev.json
            """
    )

    @Option(help: "Địa chỉ lắng nghe") var host = "127.0.0.1"
    @Option(help: "Cổng của VDXP mô phỏng") var port = 8090
    @Option(help: "URL của nền tảng (để đăng ký redirect URI và back-channel logout)") var platformURL = "http://127.0.0.1:8080"
    @Option(help: "Secret của các client mô phỏng") var clientSecret = "lgsp-dev-secret"
    @Option(help: "Tệp công dân thử nghiệm") var citizens = "seed-data/national-sim/citizens.json"
    @Option(help: "Thư mục danh mục cho từ điển dữ liệu quốc gia mô phỏng") var catalogs = "seed-data/catalogs"
    @Option(help: "client_id của nền tảng tại NDXP mô phỏng (client credentials)") var ndxpClientId = "lgsp-ndxp"

    func run() async throws {
        LogSetup.bootstrap(environment: .development, level: .info)
        let logger = Logger(label: "lgsp.sim")
        let people: [SimulatedCitizen]
        do {
            people = try SimulatedCitizen.load(path: citizens)
        } catch {
            throw fail("Không đọc được tệp công dân thử nghiệm \(citizens): \(error)")
        }
        let base = platformURL.hasSuffix("/") ? String(platformURL.dropLast()) : platformURL
        let vdxp = VDXPSimulator(
            baseURL: "http://\(host):\(port)", citizens: people,
            clients: [
                .init(id: "lgsp", secret: clientSecret, redirectURIs: ["\(base)/sso/broker/vneid/callback"], profile: .oidc,
                      backchannelLogoutURI: "\(base)/sso/broker/vneid/backchannel-logout"),
                .init(id: "lgsp-userinfo", secret: clientSecret, redirectURIs: ["\(base)/sso/broker/vneid-userinfo/callback"], profile: .userinfo,
                      backchannelLogoutURI: "\(base)/sso/broker/vneid-userinfo/backchannel-logout"),
            ],
            logger: logger
        )
        let dictionary: NationalDictionary
        do {
            dictionary = try NationalDictionary(directory: catalogs)
        } catch {
            throw fail("Không đọc được danh mục cho từ điển mô phỏng \(catalogs): \(error)")
        }
        let ndxp = NationalDataServices(citizens: people, clients: [.init(id: ndxpClientId, secret: clientSecret)])
        try await NationalSimServer.run(vdxp, dictionary: dictionary, ndxp: ndxp, host: host, port: port, logger: logger) { url in
            FileHandle.standardOutput.write(Data("VDXP/VNeID mô phỏng đang chạy: issuer \(url)\(VDXPSimulator.basePath) — \(people.count) công dân thử nghiệm\n".utf8))
            FileHandle.standardOutput.write(Data("Từ điển dữ liệu quốc gia mô phỏng: \(url)\(NationalDictionary.basePath) (lgsp serve --catalog-sync-url \(url)\(NationalDictionary.basePath))\n".utf8))
            FileHandle.standardOutput.write(Data(
                "NDXP mô phỏng (dân cư, đăng ký doanh nghiệp, bảo hiểm xã hội): \(url)\(NationalDataServices.basePath), token tại \(url)\(NationalDataServices.basePath)/oauth/token (client \(ndxpClientId)); \(ndxp.enterprises.count) doanh nghiệp thử nghiệm\n".utf8
            ))
        }
    }
}
