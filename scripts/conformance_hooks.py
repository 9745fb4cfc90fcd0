"""Schemathesis hooks for the sync contract (loaded by scripts/contract-conformance.sh)."""
import schemathesis


@schemathesis.serializer("application/offset+octet-stream")
def offset_octet_stream(ctx, value):
    # tus's chunk body: raw bytes. Generated values are bytes or text; both go as bytes.
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")
