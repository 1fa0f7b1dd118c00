import Foundation

/// Lists kept in TEXT columns as JSON arrays (the same on SQLite and PostgreSQL).
enum JSONColumn {
    static func encode(_ values: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(values), as: UTF8.self)) ?? "[]"
    }

    static func decode(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
