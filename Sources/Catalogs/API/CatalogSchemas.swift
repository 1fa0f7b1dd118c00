import Core

/// OpenAPI schemas of the catalog API.
enum CatalogSchemas {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let date: JSONValue = ["type": "string", "format": "date"]
    static let nullableString: JSONValue = ["type": ["string", "null"]]

    static let concept: JSONValue = [
        "type": "object", "required": ["code", "display", "status"],
        "properties": [
            "code": ["type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"],
            "display": ["type": "string", "description": "Tên tiếng Việt"],
            "displayEn": string, "parent": ["type": "string", "description": "Mã cha trong cùng phiên bản"],
            "level": string, "properties": ["type": "object", "additionalProperties": string],
            "validFrom": date, "validTo": ["type": "string", "format": "date", "description": "Ngày đầu tiên hết hiệu lực (không tính)"],
            "status": ["type": "string", "enum": ["active", "deprecated", "inactive"]],
            "catalog": string, "version": integer,
        ],
    ]

    static let source: JSONValue = [
        "type": "object", "required": ["kind"],
        "properties": [
            "kind": ["type": "string", "enum": ["national", "provincial"]], "legalBasis": string, "reference": string, "dataset": string,
            "complete": boolean,
        ],
    ]

    static let syncSource: JSONValue = [
        "type": "object",
        "properties": ["url": ["type": "string", "format": "uri"], "remoteKey": string, "enabled": boolean],
    ]

    static let syncState: JSONValue = [
        "type": "object",
        "properties": [
            "checkedAt": string, "outcome": ["type": "string", "enum": ["unchanged", "updated", "failed", "skipped"]], "detail": string,
            "sourceETag": string, "sourceVersion": string, "changedAt": string,
        ],
    ]

    static let catalog: JSONValue = [
        "type": "object", "required": ["key", "name", "source", "open"],
        "properties": [
            "key": string, "name": string, "nameEn": string, "description": string, "ownerAgency": string, "source": .ref("CatalogSource"),
            "open": ["type": "boolean", "description": "Dữ liệu mở: đọc không cần token"], "hierarchical": boolean, "syncSource": .ref("SyncSource"),
            "createdAt": string, "updatedAt": string, "currentVersion": integer, "currentLabel": string, "conceptCount": integer,
            "effectiveFrom": date, "effectiveTo": date, "versions": integer, "draft": integer, "lastSync": .ref("SyncState"),
        ],
    ]

    static let version: JSONValue = [
        "type": "object",
        "properties": [
            "catalog": string, "number": integer, "label": string, "status": ["type": "string", "enum": ["draft", "published", "retired"]],
            "origin": ["type": "string", "enum": ["seed", "manual", "sync"]], "note": string, "effectiveFrom": date, "effectiveTo": date,
            "createdAt": string, "createdBy": string, "publishedAt": string, "retiredAt": string, "conceptCount": integer, "contentHash": string,
            "sourceVersion": string, "current": boolean,
            "mappings": ["type": "array", "items": ["type": "object", "properties": ["target": string, "targetVersion": integer, "description": string, "elements": integer]]],
        ],
    ]

    static let mappingElement: JSONValue = [
        "type": "object", "required": ["source", "target", "kind"],
        "properties": [
            "source": string, "target": string,
            "kind": ["type": "string", "enum": .array(MappingKind.allCases.map { .string($0.rawValue) })], "comment": string,
        ],
    ]

    static let conceptMap: JSONValue = [
        "type": "object", "required": ["target", "elements"],
        "properties": [
            "target": string, "targetVersion": integer, "description": string,
            "elements": ["type": "array", "items": .ref("MappingElement")],
        ],
    ]

    static let all: [(String, JSONValue)] = [
        ("Concept", concept),
        ("CatalogSource", source),
        ("SyncSource", syncSource),
        ("SyncState", syncState),
        ("Catalog", catalog),
        ("Version", version),
        ("MappingElement", mappingElement),
        ("ConceptMap", conceptMap),
        ("ConceptPage", [
            "type": "object",
            "properties": [
                "catalog": string, "version": integer, "total": integer, "offset": integer, "limit": integer,
                "items": ["type": "array", "items": .ref("Concept")], "next": ["type": "string", "description": "Địa chỉ trang sau"],
            ],
        ]),
        ("Lookup", [
            "allOf": [
                .ref("Concept"),
                [
                    "type": "object",
                    "properties": [
                        "catalogName": string, "childCount": integer, "mappings": ["type": "array", "items": string],
                        "ancestors": ["type": "array", "items": ["type": "object", "properties": ["code": string, "display": string, "level": string]]],
                    ],
                ],
            ],
        ]),
        ("Validation", [
            "type": "object", "required": ["result", "outcome", "code"],
            "properties": [
                "result": boolean,
                "outcome": ["type": "string", "enum": ["valid", "unknown-code", "inactive", "not-in-force", "display-mismatch"]],
                "catalog": string, "version": integer, "code": string, "display": string, "message": string, "day": date,
            ],
        ]),
        ("Translation", [
            "type": "object",
            "properties": [
                "result": boolean, "direction": ["type": "string", "enum": ["forward", "reverse"]], "catalog": string, "version": integer,
                "code": string, "display": string, "target": string, "targetVersion": integer, "message": string,
                "matches": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "code": string, "display": string, "kind": string, "kindName": string, "relationship": string, "comment": string,
                            "inCurrentTarget": boolean,
                        ],
                    ],
                ],
            ],
        ]),
        ("Diff", [
            "type": "object",
            "properties": [
                "catalog": string, "from": integer, "to": integer,
                "summary": ["type": "object", "properties": ["added": integer, "removed": integer, "changed": integer, "unchanged": integer]],
                "added": ["type": "array", "items": .ref("Concept")], "removed": ["type": "array", "items": .ref("Concept")],
                "changed": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": [
                            "code": string, "display": string,
                            "fields": ["type": "array", "items": ["type": "object", "properties": ["field": string, "from": string, "to": string]]],
                        ],
                    ],
                ],
            ],
        ]),
        ("ExportDocument", [
            "type": "object", "required": ["concepts"],
            "properties": [
                "catalog": .ref("Catalog"), "version": .ref("Version"), "concepts": ["type": "array", "items": .ref("Concept")],
                "mappings": ["type": "array", "items": .ref("ConceptMap")],
            ],
        ]),
        ("NewCatalog", [
            "type": "object", "required": ["key", "name", "source"],
            "properties": [
                "key": ["type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"], "name": string, "nameEn": string, "description": string,
                "ownerAgency": string, "source": .ref("CatalogSource"), "open": boolean, "hierarchical": boolean, "sync": .ref("SyncSource"),
            ],
        ]),
        ("NewDraft", [
            "type": "object",
            "properties": [
                "label": string, "note": string, "effectiveFrom": date, "effectiveTo": date,
                "copyFrom": ["type": "integer", "description": "Phiên bản làm gốc; bỏ trống: hiện hành; 0: bắt đầu rỗng"],
            ],
        ]),
        ("ImportResult", [
            "type": "object",
            "properties": ["version": integer, "concepts": integer, "added": integer, "updated": integer, "removed": integer, "mappings": integer],
        ]),
        ("PublishResult", [
            "type": "object",
            "properties": [
                "version": .ref("Version"), "previousVersion": integer,
                "summary": ["type": "object", "properties": ["added": integer, "removed": integer, "changed": integer, "unchanged": integer]],
            ],
        ]),
        ("SyncReport", [
            "type": "object",
            "properties": [
                "catalog": string, "outcome": ["type": "string", "enum": ["updated", "unchanged", "failed", "skipped"]], "detail": string,
                "version": integer, "previousVersion": integer, "sourceVersion": string,
                "summary": ["type": "object", "properties": ["added": integer, "removed": integer, "changed": integer, "unchanged": integer]],
            ],
        ]),
        ("Webhook", [
            "type": "object",
            "properties": [
                "id": string, "url": ["type": "string", "format": "uri"], "catalogs": ["type": "array", "items": string], "description": string,
                "active": boolean, "ownerClient": string, "ownerSubject": string, "createdAt": string,
                "secret": ["type": "string", "description": "Chỉ trả một lần khi tạo: khóa HMAC-SHA256 để kiểm chữ ký X-LGSP-Signature"],
            ],
        ]),
        ("WebhookDelivery", [
            "type": "object",
            "properties": [
                "id": integer, "webhookID": string, "eventID": string, "eventType": string,
                "status": ["type": "string", "enum": ["pending", "delivered", "failed"]], "attempts": integer, "nextAttemptAt": string,
                "lastStatus": integer, "lastError": string, "createdAt": string, "deliveredAt": string,
            ],
        ]),
    ]
}
