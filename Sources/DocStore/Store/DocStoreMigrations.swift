import Core

/// The tables of the DocStore module (`doc_`). Names never change once released.
enum DocStoreMigrations {
    static let all: [Migration] = [
        Migration("0001_dossier_sequences") { _ in
            [
                """
                CREATE TABLE doc_dossier_sequences (
                    agency TEXT NOT NULL,
                    day TEXT NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (agency, day)
                )
                """
            ]
        }
    ]
}
