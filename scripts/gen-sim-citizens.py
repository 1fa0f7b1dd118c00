#!/usr/bin/env python3
"""Generates seed-data/national-sim/citizens.json: synthetic test citizens for the national identity
stand-in (NationalSim). Not real people: names are drawn from common Vietnamese family, middle and given
names; personal ids have the valid structure (pre-2025 province of birth registration, century/sex digit,
birth year, random six digits) but are random. Deterministic (fixed seed), so the file is reproducible.

Run from the repository root: python3 scripts/gen-sim-citizens.py [count=300] [path-to-reference-data]
"""
import csv, json, os, random, sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
ref = sys.argv[2] if len(sys.argv) > 2 else "../shared/reference-data"
rng = random.Random(20250701)

provinces = []
with open("seed-data/provinces-before-2025.csv", encoding="utf-8") as f:
    for row in csv.reader(line for line in f if not line.startswith("#")):
        if row[0] != "code":
            provinces.append(row[0])
wards = []
with open(os.path.join(ref, "administrative-units-2025/daklak_66_wards_2025.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        wards.append((row["ward_code"], row["full_name"]))
ethnic = []
with open(os.path.join(ref, "ethnic-religion/dan_toc_QD121-TCTK-PPCD_1979.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        ethnic.append((row["ma"], row["ten"]))

family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
          "Y", "H'", "Ksor", "Niê", "Êban", "Byă", "Mlô", "Buôn Yă"]
middle_male = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Anh", "Ngọc"]
middle_female = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Bích", "Diệu", "Thảo"]
given_male = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoà", "Hùng", "Khang", "Khoa", "Lâm", "Long", "Nam", "Phúc",
              "Quân", "Sơn", "Tài", "Thắng", "Thịnh", "Trung", "Tuấn", "Việt", "Vinh"]
given_female = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "My", "Ngân", "Nhung",
                "Oanh", "Phương", "Quỳnh", "Thảo", "Thuỷ", "Trang", "Uyên", "Vân", "Xuân", "Yến"]
# Highland (Ê Đê, M'nông, Gia Rai) names follow other patterns: given name first marker "Y" (male) / "H'" (female).
highland_family = ["Ksor", "Niê", "Êban", "Byă", "Mlô", "Buôn Yă", "Adrơng", "Hmok", "Kpă", "Rơ Châm"]
highland_given = ["Blứt", "Khoa", "Thơ", "Drin", "Jú", "Năm", "Suê", "Wơn", "Ngơn", "Hlin", "Nguê", "Buôn"]

people, seen = [], set()
while len(people) < count:
    sex = rng.choice(["male", "female"])
    year = rng.randint(1940, 2008)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    # Birth registration: mostly old Đắk Lắk (066) and old Phú Yên (054), which now form Đắk Lắk.
    province = rng.choices(["066", "054", rng.choice(provinces)], weights=[6, 3, 1])[0]
    century_digit = (year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    pid = f"{province}{century_digit}{year % 100:02d}{rng.randint(0, 999999):06d}"
    if pid in seen:
        continue
    seen.add(pid)
    if rng.random() < 0.2:
        ethnic_code, ethnic_name = rng.choice([e for e in ethnic if e[1] in ("Ê-đê", "Ê Đê", "Mnông", "Gia-rai")] or ethnic[1:6])
        name = f"{'Y' if sex == 'male' else 'H’'} {rng.choice(highland_given)} {rng.choice(highland_family)}"
    else:
        ethnic_code, ethnic_name = ethnic[0]
        name = " ".join([rng.choice(family[:16]), rng.choice(middle_male if sex == "male" else middle_female),
                         rng.choice(given_male if sex == "male" else given_female)])
    ward_code, ward_name = rng.choice(wards)
    people.append({
        "personalId": pid,
        "fullName": name,
        "birthDate": f"{year:04d}-{month:02d}-{day:02d}",
        "sex": sex,
        "ethnicCode": ethnic_code,
        "placeOfOriginCode": ward_code,
        "placeOfOrigin": f"{ward_name}, Tỉnh Đắk Lắk",
    })

document = {
    "description": "Công dân thử nghiệm của môi trường mô phỏng VNeID/VDXP. Dữ liệu tổng hợp, không phải người thật.",
    "generatedBy": "scripts/gen-sim-citizens.py",
    "sources": {
        "provinceCodes": "seed-data/provinces-before-2025.csv",
        "placeOfOrigin": "../shared/reference-data/administrative-units-2025/daklak_66_wards_2025.csv",
        "ethnicGroups": "../shared/reference-data/ethnic-religion/dan_toc_QD121-TCTK-PPCD_1979.csv",
    },
    "citizens": people,
}
with open("seed-data/national-sim/citizens.json", "w", encoding="utf-8") as f:
    json.dump(document, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(people)} synthetic citizens written")
