/// The chat demo's templates (Tornado's `demos/chat/templates`), served from memory by a dictionary Loader.
enum ChatTemplates {
    static let all: [String: String] = [
        "base.html": base, "index.html": index, "message.html": message, "login.html": login,
    ]

    static let base = """
    <!DOCTYPE html>
    <html>
      <head>
        <meta charset="UTF-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Twister Chat Demo</title>
        <link rel="stylesheet" href="{{ static_url("chat.css") }}" type="text/css">
      </head>
      <body>
        {% block body %}{% end %}
      </body>
    </html>

    """

    static let index = """
    {% extends "base.html" %}
    {% block body %}
    <div id="nav">
      <b>{{ user }}</b> -
      <a href="/auth/logout">Sign out</a>
    </div>
    <div id="body">
      <div id="inbox">
        {% for message in messages %}
          {% raw message["html"] %}
        {% end %}
      </div>
      <div id="input">
        <form action="/a/message/new" method="post" id="messageform">
          <table>
            <tr>
              <td><input type="text" name="body" id="message" autocomplete="off" autofocus></td>
              <td style="padding-left:5px">
                <input type="submit" value="Post">
                <input type="hidden" name="next" value="{{ request.path }}">
                {% raw xsrf_form_html() %}
              </td>
            </tr>
          </table>
        </form>
      </div>
    </div>
    <script src="{{ static_url("chat.js") }}" type="text/javascript"></script>
    {% end %}

    """

    static let message = """
    <div class="message" id="m{{ message["id"] }}"><b>{{ message["from"] }}: </b>{% raw linkify(message["body"]) %}</div>

    """

    static let login = """
    {% extends "base.html" %}
    {% block body %}
    <div id="body">
      <h1>Twister Chat Demo</h1>
      {% if error %}<p class="error">Please enter a name (up to 64 characters).</p>{% end %}
      <form action="/auth/login" method="post">
        <label>Your name: <input type="text" name="name" autofocus></label>
        <input type="hidden" name="next" value="{{ next }}">
        {% raw xsrf_form_html() %}
        <input type="submit" value="Sign in">
      </form>
    </div>
    {% end %}

    """
}
