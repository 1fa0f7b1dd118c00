import Mustache

/// The stand-in's login page: a list of test citizens to sign in as (no passwords: it is a simulator).
enum VDXPPages {
    static let login = """
        <!DOCTYPE html>
        <html lang="vi">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>VNeID (mô phỏng) — Đăng nhập</title>
        <style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:1.5rem auto;padding:0 1rem}
        .warn{background:#fff4e5;border-left:4px solid #b26a00;padding:.5rem .8rem}
        li{margin:.3rem 0} button{padding:.3rem .7rem}</style>
        </head>
        <body>
        <h1>VNeID — môi trường mô phỏng</h1>
        <p class="warn">Đây là hệ thống mô phỏng nền tảng định danh quốc gia để phát triển và kiểm thử. Công dân dưới đây là dữ liệu tổng hợp, không phải người thật.</p>
        <p>Ứng dụng <strong>{{clientID}}</strong> yêu cầu đăng nhập. Chọn công dân thử nghiệm:</p>
        <form method="get" action="{{basePath}}/authorize">
        {{#params}}<input type="hidden" name="{{name}}" value="{{value}}">{{/params}}
        <label for="q">Tìm theo họ tên hoặc số định danh</label>
        <input id="q" name="q" value="{{query}}"> <button type="submit">Tìm</button>
        </form>
        <ul>
        {{#citizens}}
        <li><form method="post" action="{{basePath}}/login">
        <input type="hidden" name="txn" value="{{txn}}"><input type="hidden" name="personal_id" value="{{personalId}}">
        <button type="submit">{{fullName}}</button> — {{personalId}}, sinh {{birthDate}}
        </form></li>
        {{/citizens}}
        </ul>
        </body>
        </html>
        """

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        try! library.register(login, named: "login")
        return library
    }()
}
