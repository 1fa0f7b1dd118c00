/// The SSO's pages: Vietnamese, server-rendered, no JavaScript, every field labelled.
enum Templates {
    static let header = """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} — LGSP Đắk Lắk</title>
        <link rel="stylesheet" href="/sso/assets/lgsp.css">
        </head>
        <body>
        <header class="banner"><p class="brand">Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Đắk Lắk</p><p class="service">Đăng nhập một lần</p></header>
        <main>
        <h1>{{title}}</h1>
        {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}

        """

    static let footer = """
        </main>
        <footer><p>Sở Khoa học và Công nghệ tỉnh Đắk Lắk vận hành. Không chia sẻ mật khẩu với bất kỳ ai.</p></footer>
        </body>
        </html>

        """

    static let login = """
        {{> header}}
        {{#clientName}}<p>Ứng dụng <strong>{{clientName}}</strong> yêu cầu bạn đăng nhập.</p>{{/clientName}}
        <form method="post" action="/sso/login" {{#error}}aria-describedby="error"{{/error}}>
        <input type="hidden" name="request_id" value="{{requestID}}">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <p>
        <label for="username">Tên đăng nhập, số định danh cá nhân hoặc mã số thuế</label>
        <input id="username" name="username" type="text" value="{{username}}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
        </p>
        <p>
        <label for="password">Mật khẩu</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        </p>
        <p><button type="submit">Đăng nhập</button></p>
        </form>
        {{#hasProviders}}<p class="or">hoặc</p>{{/hasProviders}}
        {{#providers}}
        <form method="post" action="/sso/broker/{{id}}/start">
        <input type="hidden" name="request_id" value="{{requestID}}">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <p><button type="submit" class="federated">Đăng nhập bằng {{name}}</button></p>
        </form>
        {{/providers}}
        {{> footer}}
        """

    static let otp = """
        {{> header}}
        <p>Nhập mã 6 chữ số từ ứng dụng xác thực của bạn.</p>
        <form method="post" action="/sso/login/otp" {{#error}}aria-describedby="error"{{/error}}>
        <input type="hidden" name="request_id" value="{{requestID}}">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <p>
        <label for="otp">Mã xác thực</label>
        <input id="otp" name="otp" type="text" inputmode="numeric" pattern="[0-9 ]{6,7}" autocomplete="one-time-code" required autofocus>
        </p>
        <p><button type="submit">Xác nhận</button></p>
        </form>
        {{> footer}}
        """

    static let confirmContinue = """
        {{> header}}
        <p>Ứng dụng <strong>{{clientName}}</strong> muốn đăng nhập bằng tài khoản <strong>{{accountName}}</strong> của bạn.</p>
        <p>Chỉ tiếp tục nếu chính bạn vừa mở ứng dụng này.</p>
        <form method="post" action="/sso/authorize/continue">
        <input type="hidden" name="request_id" value="{{requestID}}">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <p><button type="submit">Tiếp tục</button></p>
        </form>
        {{> footer}}
        """

    static let message = """
        {{> header}}
        <p>{{message}}</p>
        {{#link}}<p><a href="{{link}}">{{linkText}}</a></p>{{/link}}
        {{> footer}}
        """

    static let logoutConfirm = """
        {{> header}}
        <p>Bạn có muốn đăng xuất khỏi mọi ứng dụng dùng đăng nhập một lần của tỉnh trên trình duyệt này?</p>
        <form method="post" action="/sso/logout">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        {{#postLogoutRedirectURI}}<input type="hidden" name="post_logout_redirect_uri" value="{{postLogoutRedirectURI}}">{{/postLogoutRedirectURI}}
        {{#clientID}}<input type="hidden" name="client_id" value="{{clientID}}">{{/clientID}}
        {{#state}}<input type="hidden" name="state" value="{{state}}">{{/state}}
        <p><button type="submit">Đăng xuất</button></p>
        </form>
        {{> footer}}
        """

    static let stylesheet = """
        :root { color-scheme: light; font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
        body { margin: 0; background: #f4f6f8; color: #1b1f23; }
        .banner { background: #8b1a1a; color: #fff; padding: 0.75rem 1.5rem; }
        .banner p { margin: 0; }
        .brand { font-weight: 600; }
        main { max-width: 26rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
        h1 { font-size: 1.4rem; margin-top: 0; }
        label { display: block; font-weight: 600; margin-bottom: .25rem; }
        input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #6a737d; border-radius: 4px; }
        input:focus, button:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
        button { background: #8b1a1a; color: #fff; border: 0; padding: .7rem 1.4rem; font-size: 1rem; border-radius: 4px; cursor: pointer; }
        .error { background: #fdecea; border-left: 4px solid #b00020; padding: .6rem .8rem; }
        .notice { background: #e8f4fd; border-left: 4px solid #0b5cad; padding: .6rem .8rem; }
        .federated { background: #0b5cad; }
        .or { text-align: center; color: #586069; }
        footer { text-align: center; font-size: .85rem; color: #586069; margin-bottom: 2rem; }
        """
}
