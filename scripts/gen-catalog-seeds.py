#!/usr/bin/env python3
"""Builds the shared catalogs the platform loads on first start, from ../shared/reference-data:

  seed-data/catalogs/dan-toc.json                     ethnic groups, QĐ 121-TCTK/PPCĐ (55 codes)
  seed-data/catalogs/dan-toc-qd1019.json              ethnic groups, QĐ 1019/QĐ-TCTK (codes 01–20 only)
  seed-data/catalogs/ton-giao.json                    religions, QĐ 1019/QĐ-TCTK (14 codes)
  seed-data/catalogs/gioi-tinh.json                   sex, ISO/IEC 5218
  seed-data/catalogs/don-vi-hanh-chinh.json           34 provinces and 3,321 communes/wards (2025)
  seed-data/catalogs/don-vi-hanh-chinh-truoc-2025.json  old Đắk Lắk and Phú Yên (before 1 July 2025),
                                                      with the NSO mapping to the 2025 units (286 → 102)
  seed-data/catalogs/quoc-tich.json                   nationalities: ISO 3166-1 with Vietnamese names (CLDR)

Every file records where its content came from (`source`). Loading order is the file list in
seed-data/catalogs/index.json: a mapping's target is loaded before the catalog that maps to it.

Run from the repository root: python3 scripts/gen-catalog-seeds.py [path-to-reference-data]
Needs pycountry==26.2.16 and babel==2.19.0 (pip install, in a venv) for the nationality names.
"""
import csv, json, os, re, sys, unicodedata

ref = sys.argv[1] if len(sys.argv) > 1 else "../shared/reference-data"
out_dir = "seed-data/catalogs"
os.makedirs(out_dir, exist_ok=True)


def nfc(s):
    return unicodedata.normalize("NFC", s.strip())


def fold(s):
    s = unicodedata.normalize("NFD", s).replace("đ", "d").replace("Đ", "d")
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower()


def write(catalog):
    path = os.path.join(out_dir, catalog["key"] + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(catalog, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{path}: {len(catalog['concepts'])} concepts"
          + "".join(f", mapping to {m['target']}: {len(m['elements'])} pairs" for m in catalog.get("mappings", [])))


def rows(path):
    with open(os.path.join(ref, path), encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- Ethnic groups ---------------------------------------------------------------------------------
qd121 = rows("ethnic-religion/dan_toc_QD121-TCTK-PPCD_1979.csv")
qd1019 = rows("ethnic-religion/dan_toc_QD1019-QD-TCTK_2008_PARTIAL_01-20.csv")
assert len(qd121) == 55 and len(qd1019) == 20


def ethnic_key(name):
    # "Kinh (Việt)" ~ "Kinh", "H'mông (Mèo)" ~ "HMông", "Khơ me" ~ "Khơ-me"
    return re.sub(r"[^a-z0-9]", "", fold(re.sub(r"\(.*?\)", "", name)))


by_key_1019 = {ethnic_key(r["ten"]): r["ma"] for r in qd1019}
assert len(by_key_1019) == 20
ethnic_pairs = [
    {"source": r["ma"], "target": by_key_1019[ethnic_key(r["ten"])], "kind": "equivalent"}
    for r in qd121 if ethnic_key(r["ten"]) in by_key_1019
]
assert len(ethnic_pairs) == 20, ethnic_pairs

write({
    "key": "dan-toc-qd1019",
    "name": "Danh mục các dân tộc Việt Nam (QĐ 1019/QĐ-TCTK, mã 01–20)",
    "nameEn": "Ethnic groups of Viet Nam (Decision 1019/QĐ-TCTK, codes 01–20)",
    "description": "Bảng mã dân tộc dùng cho Tổng điều tra dân số 2009 và 2019, thứ tự khác QĐ 121. Chỉ gồm 20 mã "
                   "đầu đã đối chiếu được với nguồn công khai; các mã 21–54 chưa kiểm chứng nên chưa đưa vào. "
                   "Không dùng lẫn với danh mục dan-toc (QĐ 121).",
    "ownerAgency": "Tổng cục Thống kê",
    "source": {
        "kind": "national",
        "legalBasis": "Quyết định 1019/QĐ-TCTK ngày 12/11/2008 của Tổng cục Thống kê",
        "reference": "qcvn109.gov.vn (Phụ lục E, mã 01–13); gso.gov.vn DocID=15172 (mã 14–20)",
        "dataset": "reference-data/ethnic-religion/dan_toc_QD1019-QD-TCTK_2008_PARTIAL_01-20.csv",
        "complete": False,
    },
    "open": True,
    "version": {"label": "QĐ 1019/QĐ-TCTK (2008), mã 01–20", "effectiveFrom": "2008-11-12"},
    "concepts": [{"code": r["ma"], "display": nfc(r["ten"])} for r in qd1019],
})

write({
    "key": "dan-toc",
    "name": "Danh mục các dân tộc Việt Nam",
    "nameEn": "Ethnic groups of Viet Nam",
    "description": "54 dân tộc và mã 55 cho người nước ngoài, theo QĐ 121-TCTK/PPCĐ. Mã 01–54 ở đây khác thứ tự "
                   "của QĐ 1019/QĐ-TCTK (danh mục dan-toc-qd1019); ánh xạ giữa hai bảng đi kèm phiên bản.",
    "ownerAgency": "Tổng cục Thống kê",
    "source": {
        "kind": "national",
        "legalBasis": "Quyết định 121-TCTK/PPCĐ ngày 02/3/1979 của Tổng cục Thống kê",
        "reference": "path-vn/Interoperability @ e383aca5; Thanhnt237/TTHubClient @ 45d9b285 (hai nguồn khớp cả 55 mã)",
        "dataset": "reference-data/ethnic-religion/dan_toc_QD121-TCTK-PPCD_1979.csv",
    },
    "open": True,
    "version": {"label": "QĐ 121-TCTK/PPCĐ (1979)", "effectiveFrom": "1979-03-02"},
    "concepts": [{"code": r["ma"], "display": nfc(r["ten"]), "properties": {"slug": r["slug"]}} for r in qd121],
    "mappings": [{"target": "dan-toc-qd1019", "description": "Cùng dân tộc theo tên (chỉ các mã 01–20 của QĐ 1019 đã biết).",
                  "elements": ethnic_pairs}],
})

# --- Religions -------------------------------------------------------------------------------------
religions = rows("ethnic-religion/ton_giao_QD1019-QD-TCTK_2008.csv")
assert len(religions) == 14
write({
    "key": "ton-giao",
    "name": "Danh mục tôn giáo",
    "nameEn": "Religions",
    "description": "Danh mục tôn giáo theo QĐ 1019/QĐ-TCTK; mã 14 (Mặc Môn) bổ sung theo QĐ 132/QĐ-TGCP.",
    "ownerAgency": "Tổng cục Thống kê",
    "source": {
        "kind": "national",
        "legalBasis": "Quyết định 1019/QĐ-TCTK ngày 12/11/2008; Quyết định 132/QĐ-TGCP ngày 30/5/2014",
        "reference": "qcvn109.gov.vn (Phụ lục G)",
        "dataset": "reference-data/ethnic-religion/ton_giao_QD1019-QD-TCTK_2008.csv",
    },
    "open": True,
    "version": {"label": "QĐ 1019/QĐ-TCTK (2008), bổ sung 2014", "effectiveFrom": "2008-11-12"},
    "concepts": [
        {"code": r["ma"], "display": nfc(r["ten"]), **({"properties": {"note": nfc(r["ghi_chu"])}} if r["ghi_chu"].strip() else {})}
        for r in religions
    ],
})

# --- Sex -------------------------------------------------------------------------------------------
write({
    "key": "gioi-tinh",
    "name": "Danh mục giới tính",
    "nameEn": "Sex",
    "description": "Mã giới tính theo ISO/IEC 5218.",
    "ownerAgency": "ISO/IEC JTC 1",
    "source": {"kind": "national", "legalBasis": "ISO/IEC 5218:2022 Information technology — Codes for the representation of human sexes",
               "reference": "https://www.iso.org/standard/81682.html"},
    "open": True,
    "version": {"label": "ISO/IEC 5218:2022", "effectiveFrom": "2022-01-01"},
    "concepts": [
        {"code": "0", "display": "Chưa xác định", "displayEn": "Not known"},
        {"code": "1", "display": "Nam", "displayEn": "Male"},
        {"code": "2", "display": "Nữ", "displayEn": "Female"},
        {"code": "9", "display": "Không áp dụng", "displayEn": "Not applicable"},
    ],
})

# --- Administrative units, 2025 --------------------------------------------------------------------
units = json.load(open(os.path.join(ref, "administrative-units-2025/units-2025-full.json"), encoding="utf-8"))
assert len(units) == 34
concepts = []
for p in units:
    concepts.append({
        "code": p["Code"], "display": nfc(p["FullName"]), "displayEn": nfc(p["FullNameEn"]), "level": "province",
        "properties": {"name": nfc(p["Name"]), "nameEn": nfc(p["NameEn"]), "unitType": p["AdministrativeUnitShortName"],
                       "unitTypeEn": p["AdministrativeUnitShortNameEn"], "codeName": p["CodeName"]},
        "validFrom": "2025-07-01",
    })
for p in units:
    for w in p["Wards"]:
        assert w["ProvinceCode"] == p["Code"]
        concepts.append({
            "code": w["Code"], "display": nfc(w["FullName"]), "displayEn": nfc(w["FullNameEn"]), "parent": p["Code"],
            "level": "commune",
            "properties": {"name": nfc(w["Name"]), "nameEn": nfc(w["NameEn"]), "unitType": w["AdministrativeUnitShortName"],
                           "unitTypeEn": w["AdministrativeUnitShortNameEn"], "codeName": w["CodeName"]},
            "validFrom": "2025-07-01",
        })
communes = [c for c in concepts if c["level"] == "commune"]
assert len(communes) == 3321, len(communes)
assert len({c["code"] for c in concepts}) == len(concepts)
daklak = {r["ward_code"] for r in rows("administrative-units-2025/daklak_66_wards_2025.csv")}
assert len(daklak) == 102 and daklak == {c["code"] for c in communes if c["parent"] == "66"}
new_codes = {c["code"] for c in communes}

write({
    "key": "don-vi-hanh-chinh",
    "name": "Danh mục đơn vị hành chính Việt Nam (từ 01/7/2025)",
    "nameEn": "Administrative units of Viet Nam (from 1 July 2025)",
    "description": "34 đơn vị hành chính cấp tỉnh và 3.321 đơn vị cấp xã (xã, phường, đặc khu), mô hình chính quyền "
                   "hai cấp; mỗi đơn vị cấp xã có cha là tỉnh, thành phố của mình. Tỉnh Đắk Lắk (66) gồm 102 xã, phường.",
    "ownerAgency": "Tổng cục Thống kê",
    "source": {
        "kind": "national",
        "legalBasis": "Nghị quyết 202/2025/QH15; Quyết định 19/2025/QĐ-TTg ngày 30/6/2025 ban hành Bảng danh mục và mã số "
                      "các đơn vị hành chính Việt Nam; cập nhật đến Nghị quyết 237/NQ-UBTVQH16 (hiệu lực 30/4/2026)",
        "reference": "github.com/thanglequoc/vietnamese-provinces-database v4.2.0 (cd580632, MIT)",
        "dataset": "reference-data/administrative-units-2025/units-2025-full.json",
    },
    "open": True,
    "hierarchical": True,
    "version": {"label": "2025 (cập nhật 30/4/2026)", "effectiveFrom": "2025-07-01"},
    "concepts": concepts,
})

# --- Administrative units before 2025: old Đắk Lắk (66) and Phú Yên (54) ---------------------------
mapping_rows = rows("administrative-units-2025/daklak_66_old_to_new_mapping_nso.csv")
assert len(mapping_rows) == 294
kinds = {"Nhập toàn bộ": "merged-whole", "Nhập một phần": "merged-part", "Giữ nguyên": "unchanged", "Đổi tên": "renamed"}
provinces, districts, wards, pairs = {}, {}, {}, []


def unit_type(name, types):
    """The unit type a name starts with, and the name with that prefix in its usual case
    ("Thị Xã Buôn Hồ" in the NSO rows → "Thị xã Buôn Hồ")."""
    for t in types:
        if name.lower().startswith(t.lower() + " "):
            return t, t + name[len(t):]
    return None, name  # one NSO row names a commune without its type ("Xuân Quang 3"): kept as given


for r in mapping_rows:
    pcode = r["old_province_code"].zfill(2)
    provinces[pcode] = nfc(r["old_province_name"])
    districts[r["old_district_code"]] = (nfc(r["old_district_name"]), pcode)
    prev = wards.get(r["old_ward_code"])
    assert prev is None or prev == (nfc(r["old_ward_name"]), r["old_district_code"])
    wards[r["old_ward_code"]] = (nfc(r["old_ward_name"]), r["old_district_code"])
    assert r["new_ward_code"] in new_codes, r
    pairs.append({"source": r["old_ward_code"], "target": r["new_ward_code"], "kind": kinds[r["note"]]})
assert len(wards) == 286 and len({p["target"] for p in pairs}) == 102
assert set(provinces) == {"54", "66"}
old = []
for code, name in sorted(provinces.items()):
    t, name = unit_type(name, ["Tỉnh"])
    old.append({"code": code, "display": name, "level": "province", "properties": {"unitType": t}, "validTo": "2025-07-01"})
for code, (name, pcode) in sorted(districts.items()):
    t, name = unit_type(name, ["Thành phố", "Thị xã", "Huyện"])
    old.append({"code": code, "display": name, "parent": pcode, "level": "district", **({"properties": {"unitType": t}} if t else {}),
                "validTo": "2025-07-01"})
for code, (name, dcode) in sorted(wards.items()):
    t, name = unit_type(name, ["Phường", "Thị trấn", "Xã"])
    old.append({"code": code, "display": name, "parent": dcode, "level": "commune", **({"properties": {"unitType": t}} if t else {}),
                "validTo": "2025-07-01"})
assert len({c["code"] for c in old}) == len(old)
pairs += [{"source": code, "target": "66", "kind": "merged-whole"} for code in sorted(provinces)]

write({
    "key": "don-vi-hanh-chinh-truoc-2025",
    "name": "Đơn vị hành chính tỉnh Đắk Lắk và tỉnh Phú Yên trước 01/7/2025",
    "nameEn": "Administrative units of former Dak Lak and Phu Yen provinces (before 1 July 2025)",
    "description": "Tỉnh, huyện và xã của tỉnh Đắk Lắk (66) và tỉnh Phú Yên (54) cũ, hết hiệu lực từ 01/7/2025, kèm bảng "
                   "chuyển đổi của Tổng cục Thống kê sang đơn vị hành chính mới: 286 đơn vị cấp xã cũ → 102 xã, phường "
                   "của tỉnh Đắk Lắk mới (nhập toàn bộ, nhập một phần, giữ nguyên, đổi tên).",
    "ownerAgency": "Tổng cục Thống kê",
    "source": {
        "kind": "national",
        "legalBasis": "Nghị quyết 1660/NQ-UBTVQH15 ngày 16/6/2025 về sắp xếp các đơn vị hành chính cấp xã của tỉnh Đắk Lắk; "
                      "Nghị quyết 202/2025/QH15 (hợp nhất tỉnh Phú Yên vào tỉnh Đắk Lắk)",
        "reference": "Bảng chuyển đổi đơn vị hành chính mới – cũ của Tổng cục Thống kê",
        "dataset": "reference-data/administrative-units-2025/daklak_66_old_to_new_mapping_nso.csv",
    },
    "open": True,
    "hierarchical": True,
    "version": {"label": "Trước 01/7/2025", "effectiveFrom": "2008-01-01", "effectiveTo": "2025-07-01"},
    "concepts": old,
    "mappings": [{"target": "don-vi-hanh-chinh",
                  "description": "Bảng chuyển đổi của Tổng cục Thống kê (sáp nhập từ 01/7/2025).",
                  "elements": pairs}],
})

# --- Nationalities: ISO 3166-1 with Vietnamese names from CLDR -----------------------------------------
import babel  # noqa: E402
import pycountry  # noqa: E402
from babel import Locale  # noqa: E402

vi, en = Locale("vi"), Locale("en")
nations = []
for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
    name_vi = vi.territories.get(c.alpha_2)
    assert name_vi, c.alpha_2
    nations.append({
        "code": c.alpha_2, "display": nfc(name_vi), "displayEn": en.territories.get(c.alpha_2) or c.name,
        "properties": {"alpha3": c.alpha_3, "numeric": c.numeric, "isoName": c.name},
    })
assert len(nations) == 249, len(nations)
write({
    "key": "quoc-tich",
    "name": "Danh mục quốc tịch",
    "nameEn": "Nationalities",
    "description": "Quốc gia và vùng lãnh thổ theo ISO 3166-1 (mã alpha-2; alpha-3 và mã số trong thuộc tính), "
                   "tên tiếng Việt theo Unicode CLDR.",
    "ownerAgency": "ISO 3166 Maintenance Agency",
    "source": {
        "kind": "national",
        "legalBasis": "ISO 3166-1:2020 Codes for the representation of names of countries and their subdivisions",
        "reference": f"pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else '26.2.16'} (Debian iso-codes); "
                     f"tên tiếng Việt: Unicode CLDR qua Babel {babel.__version__}",
    },
    "open": True,
    "version": {"label": "ISO 3166-1 (2026)", "effectiveFrom": "2020-08-01"},
    "concepts": nations,
})

order = ["dan-toc-qd1019", "dan-toc", "ton-giao", "gioi-tinh", "don-vi-hanh-chinh", "don-vi-hanh-chinh-truoc-2025", "quoc-tich"]
with open(os.path.join(out_dir, "index.json"), "w", encoding="utf-8") as f:
    json.dump({"comment": "Loaded on first start, in this order. Generated by scripts/gen-catalog-seeds.py.",
               "catalogs": [k + ".json" for k in order]}, f, ensure_ascii=False, indent=1)
    f.write("\n")
