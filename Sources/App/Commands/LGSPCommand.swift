import ArgumentParser
import Core

@main
struct LGSPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lgsp",
        abstract: "LGSP Đắk Lắk — Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Đắk Lắk.",
        discussion: "Mỗi thiết lập vừa là cờ dòng lệnh vừa là biến môi trường LGSP_*; cờ được ưu tiên hơn biến môi trường.",
        version: LGSPVersion.current,
        subcommands: [ServeCommand.self, MigrateCommand.self, AuditCommand.self, BlobsCommand.self, KeysCommand.self, UserCommand.self, ClientCommand.self, CatalogCommand.self, FormCommand.self, DocStoreCommand.self, SimCommand.self],
        defaultSubcommand: nil
    )
}
