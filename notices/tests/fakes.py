"""Services of our own for fault injection: fake SMS gateways that verify signatures, a fake SMTP server,
a private redis-server, a socket that accepts and never answers. Never the shared services.

Ports: free ones, picked here. `FAULT_PORTS=18300-18399` limits the choice to a range (shared machines);
otherwise the operating system picks an unused port.
"""

import base64
import contextlib
import datetime
import hashlib
import hmac
import json
import os
import shutil
import socket
import socketserver
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, never the same twice in this process (a port may be handed out before
    its server starts)."""
    spec = os.environ.get("FAULT_PORTS", "")
    if spec:
        low, high = (int(part) for part in spec.split("-"))
        candidates = [port for port in range(low, high + 1) if port not in _handed_out]
    else:
        candidates = [0] * 20
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = probe.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port (FAULT_PORTS={spec!r})")


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that give up or are killed mid-request are part of the scenarios


class _QuietTCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


# --- SMS gateways -----------------------------------------------------------------------------------

ALIYUN_OK = {"Message": "OK", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990", "Code": "OK", "BizId": ""}
ALIYUN_ERRORS = {
    "limit": (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}),
    "illegal": (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
    "system": (200, {"Code": "isp.SYSTEM_ERROR", "Message": "isp.SYSTEM_ERROR"}),
    "signature": (
        400,
        {
            "Code": "SignatureDoesNotMatch",
            "Message": "Specified signature is not matched with our calculation.",
            "HostId": "dysmsapi.aliyuncs.com",
        },
    ),
    "unavailable": (
        503,
        {"Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure of the server."},
    ),
}

TENCENT_ERRORS = {
    "signature": {
        "Code": "AuthFailure.SignatureFailure",
        "Message": "The provided credentials could not be validated. Please check your signature is correct.",
    },
    "internal": {"Code": "InternalError.Timeout", "Message": "请求下发短信超时。"},
}
TENCENT_NUMBER_ERRORS = {
    "illegal": ("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误。"),
    "limit": ("LimitExceeded.PhoneNumberThirtySecondLimit", "单个手机号30秒内下发短信条数超过设定的上限。"),
}


class _Gateway:
    """A threaded HTTP server; `script` is the list of answers to give in turn ("ok" once it runs out)."""

    def __init__(self, **credentials):
        self.credentials = credentials
        self.script: list[str] = []
        self.accepted: list[dict] = []  # messages the gateway answered "sent" for
        self.requests = 0
        self.rejected_signatures = 0
        self.hang = threading.Event()  # set: the next request waits (until released) before answering
        self.hanging = threading.Event()  # set by the gateway while a request hangs
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.port = free_port()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with gateway.lock:
                    gateway.requests += 1
                    hang = gateway.hang.is_set()
                    gateway.hang.clear()
                if hang:
                    gateway.hanging.set()
                    gateway.release.wait(60)
                    return  # the client gave up (or was killed): nothing was sent
                status, payload = gateway.answer(self.headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = _QuietHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next_answer(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def aliyun_expected_signature(params: dict, secret: str, method: str) -> str:
    """Written from Aliyun's RPC signature documentation, independently of notices.sms."""

    def enc(text):
        return quote(text, safe="-_.~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    string_to_sign = method + "&" + enc("/") + "&" + enc(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeAliyun(_Gateway):
    def __init__(self, key_id="LTAI5tTestKeyId", secret="test-secret-aliyun"):
        super().__init__(key_id=key_id, secret=secret)
        self.nonces = set()

    @property
    def url(self):
        return f"aliyun://{self.credentials['key_id']}:{self.credentials['secret']}@127.0.0.1:{self.port}?sign=海宁市工人文化宫&scheme=http"

    def answer(self, headers, body):
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        signature = params.pop("Signature", "")
        timestamp = datetime.datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.UTC
        )
        fresh = abs((datetime.datetime.now(datetime.UTC) - timestamp).total_seconds()) < 900
        valid = (
            params.get("AccessKeyId") == self.credentials["key_id"]
            and params.get("SignatureMethod") == "HMAC-SHA1"
            and params.get("SignatureVersion") == "1.0"
            and params.get("Action") == "SendSms"
            and params.get("Version") == "2017-05-25"
            and fresh
            and params.get("SignatureNonce") not in self.nonces
            and hmac.compare_digest(signature, aliyun_expected_signature(params, self.credentials["secret"], "POST"))
        )
        self.nonces.add(params.get("SignatureNonce"))
        request_id = str(uuid.uuid4()).upper()
        if not valid:
            self.rejected_signatures += 1
            status, payload = ALIYUN_ERRORS["signature"]
            return status, {**payload, "RequestId": request_id}
        answer = self.next_answer()
        if answer != "ok":
            status, payload = ALIYUN_ERRORS[answer]
            return status, {**payload, "RequestId": request_id}
        self.accepted.append(
            {
                "phone": params["PhoneNumbers"],
                "sign": params["SignName"],
                "template": params["TemplateCode"],
                "params": json.loads(params["TemplateParam"]),
            }
        )
        return 200, {**ALIYUN_OK, "RequestId": request_id, "BizId": f"{len(self.accepted)}00619746936498440^0"}


def tencent_expected_authorization(headers, body: bytes, secret_key: str) -> str:
    """Recompute the Authorization header from Tencent Cloud's TC3-HMAC-SHA256 documentation."""
    authorization = headers.get("Authorization", "")
    _, _, fields = authorization.partition(" ")
    parts = dict(item.strip().split("=", 1) for item in fields.split(","))
    secret_id, date, service, _ = parts["Credential"].split("/")
    signed = parts["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed)
    canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    timestamp = headers.get("X-TC-Timestamp", "0")
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def sign(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(("TC3" + secret_key).encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{date}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(signed)}, Signature={signature}"
    )


class FakeTencent(_Gateway):
    def __init__(self, secret_id="AKIDtestSecretId", secret_key="test-secret-tencent", sdk_app_id="1400006666"):
        super().__init__(secret_id=secret_id, secret_key=secret_key, sdk_app_id=sdk_app_id)

    @property
    def url(self):
        c = self.credentials
        return (
            f"tencent://{c['secret_id']}:{c['secret_key']}@127.0.0.1:{self.port}"
            f"?sdk_app_id={c['sdk_app_id']}&sign=海宁市工人文化宫&region=ap-shanghai&scheme=http"
        )

    def answer(self, headers, body):
        request_id = str(uuid.uuid4())
        timestamp = int(headers.get("X-TC-Timestamp", "0"))
        date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
        authorization = headers.get("Authorization", "")
        try:
            expected = tencent_expected_authorization(headers, body, self.credentials["secret_key"])
        except (ValueError, KeyError):
            expected = None
        valid = (
            expected is not None
            and hmac.compare_digest(authorization, expected)
            and f"Credential={self.credentials['secret_id']}/{date}/sms/tc3_request" in authorization
            and abs(time.time() - timestamp) < 300
            and headers.get("X-TC-Action") == "SendSms"
            and headers.get("X-TC-Version") == "2021-01-11"
        )
        if not valid:
            self.rejected_signatures += 1
            return 200, {"Response": {"Error": TENCENT_ERRORS["signature"], "RequestId": request_id}}
        data = json.loads(body)
        answer = self.next_answer()
        if answer in TENCENT_ERRORS:
            return 200, {"Response": {"Error": TENCENT_ERRORS[answer], "RequestId": request_id}}
        phone = data["PhoneNumberSet"][0]
        if answer in TENCENT_NUMBER_ERRORS:
            code, message = TENCENT_NUMBER_ERRORS[answer]
            status = {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code}
            return 200, {
                "Response": {
                    "SendStatusSet": [{**status, "Message": message, "IsoCode": "CN"}],
                    "RequestId": request_id,
                }
            }
        self.accepted.append(
            {
                "phone": phone,
                "sign": data["SignName"],
                "template": data["TemplateId"],
                "params": data["TemplateParamSet"],
                "app": data["SmsSdkAppId"],
                "region": headers.get("X-TC-Region"),
            }
        )
        status = {
            "SerialNo": f"5000:{len(self.accepted)}045710669157053657849499619",
            "PhoneNumber": phone,
            "Fee": 1,
            "SessionContext": "",
            "Code": "Ok",
            "Message": "send success",
            "IsoCode": "CN",
        }
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}}


# --- SMTP -------------------------------------------------------------------------------------------


class FakeSmtp:
    """Just enough SMTP for Django's backend: EHLO, MAIL, RCPT, DATA, QUIT. Messages land in `messages`."""

    def __init__(self, port: int | None = None):
        self.messages: list[bytes] = []
        self.port = port or free_port()
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 fake ESMTP\r\n")
                while line := self.rfile.readline():
                    command = line.strip().upper()
                    if command.startswith((b"EHLO", b"HELO")):
                        self.wfile.write(b"250 fake\r\n")
                    elif command.startswith((b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                        self.wfile.write(b"250 OK\r\n")
                    elif command == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        smtp.messages.append(data)
                        self.wfile.write(b"250 queued\r\n")
                    elif command == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"502 no\r\n")

        self.server = _QuietTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- Redis and a hung socket ------------------------------------------------------------------------


class RedisServer:
    """A private redis-server (no persistence) on a port of its own; stop() and start() again on that port."""

    def __init__(self, port: int | None = None):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class HungServer:
    """Accepts TCP connections and never answers (a broker that hangs)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(64)
        self.held = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        if self.closed.is_set():
            return
        self.closed.set()
        for connection in self.held:
            connection.close()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(), which frees the port
        self.sock.close()
