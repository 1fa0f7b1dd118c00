import Core
import Foundation
import SQLKit

/// Members and their systems, and the restructurings of R-11.3 — rename, merge, split, dissolve — which
/// keep every identifier a member carried and move its systems (with their services and grants, which
/// belong to systems) as the operation says. Every change is audited.
struct MemberService: Sendable {
    let database: Database
    let store: MemberStore
    let audit: AuditLog
    let credentials: (any SystemCredentials)?

    struct Actor: Sendable {
        let subject: String
        let client: String?
        let requestID: String?

        init(subject: String, client: String?, requestID: String?) {
            self.subject = subject
            self.client = client
            self.requestID = requestID
        }

        init(_ context: AppRequestContext) {
            self.init(subject: context.principal?.subject ?? "", client: context.principal?.clientID, requestID: context.requestID)
        }

        func event(_ action: String, type: String, id: String, details: [String: String] = [:]) -> AuditEvent {
            AuditEvent(action: action, outcome: .success, subject: subject, client: client, objectType: type, objectID: id, requestID: requestID, details: details)
        }
    }

    struct NewMember: Decodable, Sendable {
        var identifier: String
        var name: String
        var parentId: String?
        var level: Member.Level
        var contacts: [Member.Contact]?
    }

    static func newID(_ prefix: String) -> String {
        prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    }

    /// The identifier in its canonical form, or a validation problem at `pointer`.
    static func identifier(_ text: String, pointer: String) throws -> String {
        switch AgencyCode.validate(text.trimmingCharacters(in: .whitespaces)) {
        case .success(let code): return code.description
        case .failure(let error): throw Problem.validation([.init(pointer: pointer, message: error.message)])
        }
    }

    static func name(_ text: String, pointer: String) throws -> String {
        let name = VietnameseText.nfc(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard (2...300).contains(name.count) else {
            throw Problem.validation([.init(pointer: pointer, message: "Tên cơ quan, đơn vị có từ 2 đến 300 ký tự.")])
        }
        return name
    }

    static func contacts(_ contacts: [Member.Contact]?, pointer: String) throws -> [Member.Contact] {
        var errors: [Problem.FieldError] = []
        var result: [Member.Contact] = []
        for (index, contact) in (contacts ?? []).enumerated() {
            let name = VietnameseText.nfc(contact.name.trimmingCharacters(in: .whitespacesAndNewlines))
            if name.isEmpty || name.count > 200 { errors.append(.init(pointer: "\(pointer)/\(index)/name", message: "Cần họ tên người liên hệ (tối đa 200 ký tự).")) }
            if let email = contact.email, !(email.contains("@") && email.count <= 254 && !email.contains(" ")) {
                errors.append(.init(pointer: "\(pointer)/\(index)/email", message: "Địa chỉ thư điện tử không hợp lệ."))
            }
            if let phone = contact.phone, !(phone.count >= 8 && phone.count <= 20 && phone.allSatisfy({ $0.isNumber || "+ .-()".contains($0) })) {
                errors.append(.init(pointer: "\(pointer)/\(index)/phone", message: "Số điện thoại không hợp lệ."))
            }
            result.append(Member.Contact(name: name, role: contact.role, email: contact.email, phone: contact.phone))
        }
        if result.count > 20 { errors.append(.init(pointer: pointer, message: "Tối đa 20 người liên hệ.")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return result
    }

    func create(_ input: NewMember, by actor: Actor) async throws -> Member {
        let identifier = try Self.identifier(input.identifier, pointer: "/identifier")
        let name = try Self.name(input.name, pointer: "/name")
        let contacts = try Self.contacts(input.contacts, pointer: "/contacts")
        let now = Timestamp.now()
        let member = Member(
            id: Self.newID("mem_"), identifier: identifier, name: name, parentId: input.parentId, level: input.level, contacts: contacts,
            status: .active, successors: [], createdAt: now, updatedAt: now, names: nil
        )
        try await database.transaction { [store, audit] sql in
            if let parent = input.parentId {
                guard let found = try await store.member(parent, sql), found.status == .active else {
                    throw Problem.validation([.init(pointer: "/parentId", message: "Không có cơ quan cấp trên “\(parent)” đang hoạt động.")])
                }
            }
            guard try await !store.identifierTaken(identifier, except: nil, sql) else {
                throw Problem(.conflict, detail: "Mã định danh \(identifier) đã (hoặc từng) thuộc về một thành viên khác.")
            }
            try await store.insert(member, operation: "create", sql)
            try await store.event(member.id, operation: "create", details: ["identifier": .string(identifier), "name": .string(name)], actor: actor.subject, at: now, sql)
            try await audit.record(actor.event("gateway.member.create", type: "member", id: member.id, details: ["identifier": identifier]), in: sql)
        }
        return member
    }

    func read(_ id: String) async throws -> Member {
        guard var member = try await store.member(id) else { throw Problem.notFound("Không có thành viên “\(id)”.") }
        member.names = try await store.names(id)
        return member
    }

    struct Changes: Decodable, Sendable {
        var parentId: String?
        var level: Member.Level?
        var contacts: [Member.Contact]?
    }

    /// Contacts, level and parent; a new name or identifier goes through `rename` (history).
    func update(_ id: String, _ changes: Changes, by actor: Actor) async throws -> Member {
        let contacts = try changes.contacts.map { try Self.contacts($0, pointer: "/contacts") }
        return try await database.transaction { [store, audit] sql in
            guard var member = try await store.member(id, sql, forUpdate: true) else { throw Problem.notFound("Không có thành viên “\(id)”.") }
            guard member.status == .active else { throw Problem(.conflict, detail: "Thành viên đã \(member.status.rawValue), không sửa được.") }
            if let parent = changes.parentId {
                guard parent != id, let found = try await store.member(parent, sql), found.status == .active else {
                    throw Problem.validation([.init(pointer: "/parentId", message: "Không có cơ quan cấp trên “\(parent)” đang hoạt động.")])
                }
                member.parentId = parent
            }
            if let level = changes.level { member.level = level }
            if let contacts { member.contacts = contacts }
            member.updatedAt = Timestamp.now()
            try await store.update(member, sql)
            try await audit.record(actor.event("gateway.member.update", type: "member", id: id), in: sql)
            return member
        }
    }

    // MARK: Restructuring (R-11.3)

    struct Rename: Decodable, Sendable {
        var identifier: String?
        var name: String?
        var reason: String?
    }

    func rename(_ id: String, _ input: Rename, by actor: Actor) async throws -> Member {
        let identifier = try input.identifier.map { try Self.identifier($0, pointer: "/identifier") }
        let name = try input.name.map { try Self.name($0, pointer: "/name") }
        guard identifier != nil || name != nil else {
            throw Problem.validation([.init(pointer: "/name", message: "Cần tên mới hoặc mã định danh mới.")])
        }
        let credentials = self.credentials
        let (member, clients) = try await database.transaction { [store, audit] sql in
            guard var member = try await store.member(id, sql, forUpdate: true) else { throw Problem.notFound("Không có thành viên “\(id)”.") }
            guard member.status == .active else { throw Problem(.conflict, detail: "Thành viên không còn hoạt động.") }
            let old = (member.identifier, member.name)
            if let identifier, identifier != member.identifier {
                guard try await !store.identifierTaken(identifier, except: id, sql) else {
                    throw Problem(.conflict, detail: "Mã định danh \(identifier) đã (hoặc từng) thuộc về một thành viên khác.")
                }
                member.identifier = identifier
            }
            if let name { member.name = name }
            let now = Timestamp.now()
            member.updatedAt = now
            try await store.update(member, sql)
            try await store.rename(member, operation: "rename", at: now, sql)
            try await store.event(id, operation: "rename", details: [
                "from": ["identifier": .string(old.0), "name": .string(old.1)], "to": ["identifier": .string(member.identifier), "name": .string(member.name)],
                "reason": input.reason.map(JSONValue.string) ?? .null,
            ], actor: actor.subject, at: now, sql)
            try await audit.record(actor.event("gateway.member.rename", type: "member", id: id, details: ["from": old.0, "to": member.identifier]), in: sql)
            let clients = old.0 == member.identifier ? [] : try await store.systems(member: id, sql).flatMap { $0.clients.values }
            return (member, clients)
        }
        // The systems' tokens carry the agency code: new tokens get the new one.
        for client in clients { try await credentials?.setAgency(clientID: client, agencyCode: member.identifier, requestID: actor.requestID) }
        return member
    }

    struct Merge: Decodable, Sendable {
        /// Members merged into this one (which stays, possibly renamed afterwards).
        var sources: [String]
        var reason: String?
    }

    /// `sources` end, marked merged into `id`; their systems move to `id`.
    func merge(into id: String, _ input: Merge, by actor: Actor) async throws -> Member {
        guard !input.sources.isEmpty, !input.sources.contains(id), Set(input.sources).count == input.sources.count else {
            throw Problem.validation([.init(pointer: "/sources", message: "Cần ít nhất một thành viên khác, không trùng, để sáp nhập.")])
        }
        let credentials = self.credentials
        let (target, moved) = try await database.transaction { [store, audit] sql in
            guard let target = try await store.member(id, sql, forUpdate: true), target.status == .active else {
                throw Problem.notFound("Không có thành viên “\(id)” đang hoạt động.")
            }
            let now = Timestamp.now()
            var moved: [String] = []
            for (index, sourceID) in input.sources.enumerated() {
                guard var source = try await store.member(sourceID, sql, forUpdate: true), source.status == .active else {
                    throw Problem.validation([.init(pointer: "/sources/\(index)", message: "Không có thành viên “\(sourceID)” đang hoạt động.")])
                }
                for system in try await store.systems(member: sourceID, sql) {
                    if try await store.codeTaken(system.code, member: id, sql) {
                        throw Problem(.conflict, detail: "Hệ thống mã “\(system.code)” đã có ở \(target.name); đổi mã trước khi sáp nhập.")
                    }
                    try await store.moveSystem(system.id, to: id, at: now, sql)
                    moved.append(contentsOf: system.clients.values)
                }
                source.status = .merged
                source.successors = [id]
                source.updatedAt = now
                try await store.update(source, sql)
                try await store.closeName(sourceID, at: now, sql)
                try await store.event(sourceID, operation: "merged", details: ["into": .string(id), "reason": input.reason.map(JSONValue.string) ?? .null], actor: actor.subject, at: now, sql)
                try await audit.record(actor.event("gateway.member.merge", type: "member", id: sourceID, details: ["into": id]), in: sql)
            }
            try await store.event(id, operation: "merge", details: ["sources": .array(input.sources.map(JSONValue.string))], actor: actor.subject, at: now, sql)
            return (target, moved)
        }
        for client in moved { try await credentials?.setAgency(clientID: client, agencyCode: target.identifier, requestID: actor.requestID) }
        return try await read(target.id)
    }

    struct Split: Decodable, Sendable {
        struct Part: Decodable, Sendable {
            var identifier: String
            var name: String
            var level: Member.Level?
            /// Systems of the split member that go to this part.
            var systems: [String]?
        }

        var into: [Part]
        var reason: String?
    }

    /// `id` ends, marked split into new members; each system goes to the part that lists it (every system
    /// must be listed exactly once).
    func split(_ id: String, _ input: Split, by actor: Actor) async throws -> [Member] {
        guard input.into.count >= 2 else {
            throw Problem.validation([.init(pointer: "/into", message: "Chia tách thành ít nhất hai thành viên.")])
        }
        var parts: [(identifier: String, name: String, part: Split.Part)] = []
        for (index, part) in input.into.enumerated() {
            parts.append((try Self.identifier(part.identifier, pointer: "/into/\(index)/identifier"), try Self.name(part.name, pointer: "/into/\(index)/name"), part))
        }
        let planned = parts
        let credentials = self.credentials
        let (created, moves) = try await database.transaction { [store, audit] sql in
            guard var source = try await store.member(id, sql, forUpdate: true), source.status == .active else {
                throw Problem.notFound("Không có thành viên “\(id)” đang hoạt động.")
            }
            let systems = try await store.systems(member: id, sql)
            let listed = planned.flatMap { $0.part.systems ?? [] }
            guard Set(listed) == Set(systems.map(\.id)), listed.count == systems.count else {
                throw Problem.validation([.init(pointer: "/into", message: "Mỗi hệ thống của thành viên phải được giao cho đúng một đơn vị mới (\(systems.count) hệ thống).")])
            }
            let now = Timestamp.now()
            var created: [Member] = []
            var moves: [(client: String, agency: String)] = []
            for (index, plan) in planned.enumerated() {
                guard try await !store.identifierTaken(plan.identifier, except: nil, sql), try await store.member(identifier: plan.identifier, sql) == nil else {
                    throw Problem.validation([.init(pointer: "/into/\(index)/identifier", message: "Mã định danh \(plan.identifier) đã (hoặc từng) được dùng.")])
                }
                let member = Member(
                    id: Self.newID("mem_"), identifier: plan.identifier, name: plan.name, parentId: source.parentId, level: plan.part.level ?? source.level,
                    contacts: [], status: .active, successors: [], createdAt: now, updatedAt: now, names: nil
                )
                try await store.insert(member, operation: "split-from:\(id)", sql)
                for systemID in plan.part.systems ?? [] {
                    try await store.moveSystem(systemID, to: member.id, at: now, sql)
                    for client in systems.first(where: { $0.id == systemID })?.clients.values ?? [:].values {
                        moves.append((client, member.identifier))
                    }
                }
                try await audit.record(actor.event("gateway.member.create", type: "member", id: member.id, details: ["identifier": member.identifier, "splitFrom": id]), in: sql)
                created.append(member)
            }
            source.status = .split
            source.successors = created.map(\.id)
            source.updatedAt = now
            try await store.update(source, sql)
            try await store.closeName(id, at: now, sql)
            try await store.event(id, operation: "split", details: ["into": .array(created.map { .string($0.id) }), "reason": input.reason.map(JSONValue.string) ?? .null], actor: actor.subject, at: now, sql)
            try await audit.record(actor.event("gateway.member.split", type: "member", id: id, details: ["into": created.map(\.identifier).joined(separator: ",")]), in: sql)
            return (created, moves)
        }
        for move in moves { try await credentials?.setAgency(clientID: move.client, agencyCode: move.agency, requestID: actor.requestID) }
        return created
    }

    struct Dissolve: Decodable, Sendable {
        /// Takes over the member's systems; without one they are disabled with their credentials.
        var successor: String?
        var reason: String
    }

    func dissolve(_ id: String, _ input: Dissolve, by actor: Actor) async throws -> Member {
        guard input.reason.trimmingCharacters(in: .whitespacesAndNewlines).count >= 5 else {
            throw Problem.validation([.init(pointer: "/reason", message: "Cần nêu căn cứ giải thể (ít nhất 5 ký tự).")])
        }
        let credentials = self.credentials
        let (member, moved, disabled, successorIdentifier) = try await database.transaction { [store, audit] sql in
            guard var member = try await store.member(id, sql, forUpdate: true), member.status == .active else {
                throw Problem.notFound("Không có thành viên “\(id)” đang hoạt động.")
            }
            var successorIdentifier: String?
            if let successor = input.successor {
                guard successor != id, let found = try await store.member(successor, sql), found.status == .active else {
                    throw Problem.validation([.init(pointer: "/successor", message: "Không có thành viên “\(successor)” đang hoạt động.")])
                }
                successorIdentifier = found.identifier
            }
            let now = Timestamp.now()
            var moved: [String] = []
            var disabled: [String] = []
            for system in try await store.systems(member: id, sql) {
                if let successor = input.successor {
                    if try await store.codeTaken(system.code, member: successor, sql) {
                        throw Problem(.conflict, detail: "Hệ thống mã “\(system.code)” đã có ở đơn vị tiếp nhận; đổi mã trước.")
                    }
                    try await store.moveSystem(system.id, to: successor, at: now, sql)
                    moved.append(contentsOf: system.clients.values)
                } else {
                    try await store.setSystemStatus(system.id, .disabled, at: now, sql)
                    disabled.append(contentsOf: system.clients.values)
                }
            }
            member.status = .dissolved
            member.successors = input.successor.map { [$0] } ?? []
            member.updatedAt = now
            try await store.update(member, sql)
            try await store.closeName(id, at: now, sql)
            try await store.event(id, operation: "dissolve", details: ["successor": input.successor.map(JSONValue.string) ?? .null, "reason": .string(input.reason)], actor: actor.subject, at: now, sql)
            try await audit.record(actor.event("gateway.member.dissolve", type: "member", id: id, details: ["successor": input.successor ?? ""]), in: sql)
            return (member, moved, disabled, successorIdentifier)
        }
        for client in moved { try await credentials?.setAgency(clientID: client, agencyCode: successorIdentifier ?? member.identifier, requestID: actor.requestID) }
        for client in disabled { try await credentials?.setDisabled(clientID: client, true, requestID: actor.requestID) }
        return member
    }

    // MARK: Systems

    struct NewSystem: Decodable, Sendable {
        var code: String
        var name: String
        var kind: ConnectedSystem.Kind
        var description: String?
    }

    func createSystem(member id: String, _ input: NewSystem, by actor: Actor) async throws -> ConnectedSystem {
        let code = input.code.trimmingCharacters(in: .whitespaces).lowercased()
        var errors: [Problem.FieldError] = []
        if !(2...40).contains(code.count) || !code.allSatisfy({ ($0.isLetter && $0.isASCII) || $0.isNumber || $0 == "-" }) {
            errors.append(.init(pointer: "/code", message: "Mã hệ thống gồm 2–40 chữ cái không dấu, chữ số hoặc gạch ngang."))
        }
        let name = VietnameseText.nfc(input.name.trimmingCharacters(in: .whitespacesAndNewlines))
        if !(2...300).contains(name.count) { errors.append(.init(pointer: "/name", message: "Tên hệ thống có từ 2 đến 300 ký tự.")) }
        if let description = input.description, description.count > 4000 { errors.append(.init(pointer: "/description", message: "Mô tả tối đa 4.000 ký tự.")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let now = Timestamp.now()
        let system = ConnectedSystem(
            id: Self.newID("sys_"), memberId: id, code: code, name: name, kind: input.kind, description: input.description, status: .active,
            clients: [:], createdAt: now, updatedAt: now
        )
        try await database.transaction { [store, audit] sql in
            guard let member = try await store.member(id, sql), member.status == .active else { throw Problem.notFound("Không có thành viên “\(id)” đang hoạt động.") }
            guard try await !store.codeTaken(code, member: id, sql) else { throw Problem(.conflict, detail: "Thành viên đã có hệ thống mã “\(code)”.") }
            try await store.insert(system, sql)
            try await audit.record(actor.event("gateway.system.create", type: "system", id: system.id, details: ["member": id, "code": code]), in: sql)
        }
        return system
    }

    /// SSO client credentials of a system in one environment; the secret is shown here once.
    func issueCredentials(system id: String, environment: Environment, by actor: Actor) async throws -> IssuedCredentials {
        guard let credentials else { throw Problem(.serviceUnavailable, detail: "Dịch vụ cấp thông tin xác thực chưa sẵn sàng.") }
        guard let system = try await store.system(id), system.status == .active, let member = try await store.member(system.memberId), member.status == .active else {
            throw Problem.notFound("Không có hệ thống “\(id)” đang hoạt động.")
        }
        if let existing = system.clients[environment.rawValue] {
            let rotated = try await credentials.rotateSecret(clientID: existing, requestID: actor.requestID)
            try await audit.record(actor.event("gateway.system.credentials.rotate", type: "system", id: id, details: ["environment": environment.rawValue, "client": existing]))
            return rotated
        }
        let clientID = "\(id)-\(environment.rawValue)".replacingOccurrences(of: "_", with: "-")
        let issued = try await credentials.provision(SystemClientRequest(
            clientID: clientID, name: "\(system.name) (\(environment == .test ? "thử nghiệm" : "chính thức"))", agencyCode: member.identifier,
            scopes: ["gateway.call"], requestID: actor.requestID
        ))
        try await database.transaction { [store, audit] sql in
            try await store.addClient(system: id, environment: environment, clientID: issued.clientId, sql)
            try await audit.record(actor.event("gateway.system.credentials.create", type: "system", id: id, details: ["environment": environment.rawValue, "client": issued.clientId]), in: sql)
        }
        return issued
    }
}
