import json
import logging

from polycms.logging import JsonFormatter


def test_audit_fields_are_merged_into_one_json_line():
    record = logging.LogRecord("polycms.audit", logging.INFO, __file__, 1, "token.revoked", None, None)
    record.audit = {"token_id": 7, "actor_id": 3, "ip": "10.0.0.1"}
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "token.revoked"
    assert (line["token_id"], line["actor_id"], line["ip"]) == (7, 3, "10.0.0.1")
    assert line["time"].endswith("+00:00") and line["level"] == "INFO"
