"""A git smart-HTTP server for tests: `git http-backend` behind Python's http.server on
127.0.0.1, refusing (401) every request whose Authorization header is not
`Basic base64(x-access-token:TOKEN)`, and logging each request as
`METHOD PATH auth=ok|none|wrong`.

A path under /r/ is redirected to /TOKEN/..., and a path under /TOKEN/ is served as the
rest: git then prints the token in its "redirecting to" warning, which lets a test check that
the value is masked in a step's log.

Usage: git_http_server.py ROOT TOKEN LOG PORT_FILE (writes the port once listening).
"""
import base64
import http.server
import os
import subprocess
import sys

root, token, log, port_file = sys.argv[1:5]
expected = 'Basic ' + base64.b64encode(('x-access-token:' + token).encode()).decode()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def reply(self, status, headers=(), body=b''):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def serve(self):
        auth = self.headers.get('Authorization')
        ok = auth == expected
        with open(log, 'a') as f:
            state = 'ok' if ok else ('none' if auth is None else 'wrong')
            f.write('%s %s auth=%s\n' % (self.command, self.path, state))
        if not ok:
            return self.reply(401, [('WWW-Authenticate', 'Basic realm="git"')])
        if self.path.startswith('/r/'):
            return self.reply(301, [('Location', '/' + token + self.path[2:])])
        path, _, query = self.path.partition('?')
        if path.startswith('/' + token + '/'):
            path = path[len(token) + 1:]
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL='1', PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command,
                   CONTENT_LENGTH=str(len(body)),
                   CONTENT_TYPE=self.headers.get('Content-Type', ''),
                   HTTP_CONTENT_ENCODING=self.headers.get('Content-Encoding', ''),
                   GIT_PROTOCOL=self.headers.get('Git-Protocol', ''))
        out = subprocess.run(['git', 'http-backend'], input=body, env=env,
                             capture_output=True).stdout
        head, _, rest = out.partition(b'\r\n\r\n')
        status, headers = 200, []
        for line in head.decode().split('\r\n'):
            name, _, value = line.partition(':')
            if name.lower() == 'status':
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.reply(status, headers, rest)


server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
with open(port_file + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + '.tmp', port_file)
server.serve_forever()
