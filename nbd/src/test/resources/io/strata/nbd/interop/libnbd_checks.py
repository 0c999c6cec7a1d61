"""Exact NBD semantics of a Strata server, checked through libnbd's python binding.

Usage: libnbd_checks.py CHECK RW_URI RO_URI
  RW_URI: a fresh, empty read-write export; RO_URI: a read-only export (a snapshot).
  The check "growable" takes the growable export of a fresh 64 MiB volume and its plain export.
Prints "ok CHECK" and exits 0 when the check holds; a failed assertion exits non-zero.
"""
import errno
import os
import sys

import nbd

MIB = 1 << 20
HOLE_ZERO = nbd.STATE_HOLE | nbd.STATE_ZERO


def connect(uri, structured=True, strict=True):
    h = nbd.NBD()
    h.set_request_structured_replies(structured)
    h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    if not strict:
        h.set_strict_mode(0)
    h.connect_uri(uri)
    return h


def expect_error(errnum, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except nbd.Error as e:
        assert e.errnum == errnum, f"{fn.__name__}: expected {errno.errorcode[errnum]}, got {e.errnum} ({e})"
        return
    raise AssertionError(f"{fn.__name__}{args} succeeded; expected {errno.errorcode[errnum]}")


def extents(h, length, offset, flags=0):
    out = []

    def cb(metacontext, off, entries, err):
        assert metacontext == nbd.CONTEXT_BASE_ALLOCATION, metacontext
        assert off == offset, (off, offset)
        out.extend(zip(entries[0::2], entries[1::2]))
        return 0

    h.block_status(length, offset, cb, flags)
    return out


def check_negotiation(rw, ro):
    h = connect(rw)
    assert h.get_structured_replies_negotiated()
    assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    assert h.can_multi_conn()
    assert h.can_flush() and h.can_fua() and h.can_trim() and h.can_zero() and h.can_fast_zero()
    assert h.can_cache() and h.can_df()
    assert not h.is_read_only()
    assert h.get_size() == 64 * MIB
    assert h.get_block_size(nbd.SIZE_MINIMUM) == 1
    assert h.get_block_size(nbd.SIZE_PREFERRED) == 4096
    assert h.get_block_size(nbd.SIZE_MAXIMUM) == 32 * MIB
    assert h.get_protocol() == "newstyle-fixed"
    h.shutdown()
    r = connect(ro)
    assert r.is_read_only() and r.can_multi_conn()
    assert not r.can_trim() and not r.can_zero() and not r.can_fua()
    r.shutdown()


def check_structured_read(rw, ro):
    h = connect(rw)
    data = os.urandom(3 * 4096 + 17)
    h.pwrite(data, 5 * MIB + 3)
    chunks = []

    def chunk(subbuf, offset, status, err):
        chunks.append((offset, status, len(subbuf)))
        return 0

    got = h.pread_structured(len(data), 5 * MIB + 3, chunk)
    assert bytes(got) == data
    assert chunks == [(5 * MIB + 3, nbd.READ_DATA, len(data))], chunks
    got = h.pread_structured(MIB, 0, chunk, nbd.CMD_FLAG_DF)
    assert bytes(got) == bytes(MIB)
    assert len(chunks) == 2, "DF: the read comes back in one chunk"
    h.shutdown()


def check_block_status(rw, ro):
    h = connect(rw)
    h.pwrite(b"\x01" * (64 << 10), 1 * MIB)
    h.pwrite(b"\x02" * 4096, 3 * MIB)
    assert extents(h, 4 * MIB, 0) == [(MIB, HOLE_ZERO), (64 << 10, 0), (2 * MIB - (64 << 10), HOLE_ZERO),
                                      (4096, 0), (MIB - 4096, HOLE_ZERO)], extents(h, 4 * MIB, 0)
    assert extents(h, 4 * MIB, 0, nbd.CMD_FLAG_REQ_ONE) == [(MIB, HOLE_ZERO)]
    assert extents(h, 100, MIB + 10) == [(100, 0)]
    last = extents(h, 4096, 64 * MIB - 4096)
    assert last == [(4096, HOLE_ZERO)], last
    h.shutdown()
    r = connect(ro)
    assert extents(r, 64 * MIB, 0) == [(64 * MIB, HOLE_ZERO)]
    r.shutdown()


def check_block_status_needs_a_context(rw, ro):
    h = nbd.NBD()
    h.set_strict_mode(0)
    h.connect_uri(rw)
    assert not h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    expect_error(errno.EINVAL, h.block_status, 4096, 0, lambda *a: 0)
    h.shutdown()


def check_fua_and_flush(rw, ro):
    h = connect(rw)
    h.pwrite(b"\x07" * 4096, 0, nbd.CMD_FLAG_FUA)
    h.pwrite(b"\x08" * (1 * MIB), MIB, nbd.CMD_FLAG_FUA)  # over the inline size: in the background
    h.flush()
    h.trim(4096, 2 * MIB, nbd.CMD_FLAG_FUA)
    h.zero(4096, 3 * MIB, nbd.CMD_FLAG_FUA)
    assert bytes(h.pread(4096, 0)) == b"\x07" * 4096
    assert bytes(h.pread(MIB, MIB)) == b"\x08" * MIB
    h.shutdown()


def check_trim_and_zero(rw, ro):
    h = connect(rw)
    h.pwrite(b"\x09" * (256 << 10), 0)
    h.trim(64 << 10, 0)
    assert bytes(h.pread(64 << 10, 0)) == bytes(64 << 10)
    h.zero(64 << 10, 64 << 10)
    assert bytes(h.pread(64 << 10, 64 << 10)) == bytes(64 << 10)
    h.zero(64 << 10, 128 << 10, nbd.CMD_FLAG_NO_HOLE)
    assert bytes(h.pread(64 << 10, 128 << 10)) == bytes(64 << 10)
    assert extents(h, 256 << 10, 0) == [(128 << 10, HOLE_ZERO), (128 << 10, 0)], extents(h, 256 << 10, 0)
    h.zero((192 << 10) + 10, 100)  # unaligned: partial blocks written, whole ones released
    assert bytes(h.pread((192 << 10) + 10, 100)) == bytes((192 << 10) + 10)
    h.zero(MIB, 0, nbd.CMD_FLAG_FAST_ZERO)
    expect_error(errno.ENOTSUP, h.zero, 4096, 0, nbd.CMD_FLAG_FAST_ZERO | nbd.CMD_FLAG_NO_HOLE)
    h.cache(MIB, 0)
    h.shutdown()


def check_read_only_refuses_writes(rw, ro):
    r = connect(ro, strict=False)
    expect_error(errno.EPERM, r.pwrite, b"x" * 4096, 0)
    expect_error(errno.EPERM, r.pwrite, b"x" * (2 * MIB), 0)  # a payload read into its own buffer
    expect_error(errno.EPERM, r.trim, 4096, 0)
    expect_error(errno.EPERM, r.zero, 4096, 0)
    assert bytes(r.pread(4096, 0)) == bytes(4096)
    r.flush()
    r.shutdown()


def check_out_of_range(rw, ro):
    h = connect(rw, strict=False)
    size = h.get_size()
    expect_error(errno.EINVAL, h.pread, 4096, size)
    expect_error(errno.EINVAL, h.pread, 8192, size - 4096)
    expect_error(errno.EINVAL, h.pread, 4 * MIB, size - MIB)  # a large read, refused before any work
    expect_error(errno.EINVAL, h.pwrite, b"y" * 8192, size - 4096)
    expect_error(errno.EINVAL, h.pwrite, b"y" * 4096, (1 << 63) - 1)
    expect_error(errno.EINVAL, h.trim, 8192, size - 4096)
    expect_error(errno.EINVAL, h.zero, 8192, size - 4096)
    expect_error(errno.EINVAL, h.cache, 8192, size - 4096)
    expect_error(errno.EINVAL, h.block_status, 8192, size - 4096, lambda *a: 0)
    expect_error(errno.EINVAL, h.pread, 0, 0)  # zero length
    expect_error(errno.EINVAL, h.pread, 4096, 0, 1 << 6)  # a flag the protocol does not define
    assert bytes(h.pread(4096, size - 4096)) == bytes(4096), "the connection goes on after errors"
    h.shutdown()


def check_simple_replies(rw, ro):
    h = connect(rw, structured=False, strict=False)
    assert not h.get_structured_replies_negotiated()
    assert not h.can_df()
    h.pwrite(b"\x0a" * 4096, 4096)
    assert bytes(h.pread(4096, 4096)) == b"\x0a" * 4096
    assert bytes(h.pread(2 * MIB, 0))[4096:8192] == b"\x0a" * 4096
    expect_error(errno.EINVAL, h.pread, 4096, h.get_size())
    h.shutdown()
    r = connect(ro, structured=False, strict=False)
    expect_error(errno.EPERM, r.pwrite, b"x", 0)
    r.shutdown()


def check_pipelining(rw, ro):
    h = connect(rw)
    blocks = [os.urandom(4096) for _ in range(64)]
    cookies = [h.aio_pwrite(blocks[i], i * 8192) for i in range(64)]
    big = os.urandom(3 * MIB)
    cookies.append(h.aio_pwrite(big, 8 * MIB))
    cookies.append(h.aio_flush())
    wait_all(h, cookies)
    bufs = [nbd.Buffer(4096) for _ in range(64)]
    big_buf = nbd.Buffer(3 * MIB)
    cookies = [h.aio_pread(bufs[i], i * 8192) for i in range(64)] + [h.aio_pread(big_buf, 8 * MIB)]
    wait_all(h, cookies)
    for i in range(64):
        assert bytes(bufs[i].to_bytearray()) == blocks[i], i
    assert bytes(big_buf.to_bytearray()) == big
    h.shutdown()


def wait_all(h, cookies):
    """Waits for every command; each must have succeeded."""
    while h.aio_in_flight() > 0:
        h.poll(-1)
    for c in cookies:
        assert h.aio_command_completed(c), c


def check_multi_conn(rw, ro):
    a = connect(rw)
    b = connect(rw)
    a.pwrite(b"\x0b" * 4096, 0)
    assert bytes(b.pread(4096, 0)) == b"\x0b" * 4096, "a write answered on one connection is read on another"
    b.flush()
    a.shutdown()
    b.shutdown()


def check_options(rw, ro):
    h = nbd.NBD()
    h.set_opt_mode(True)
    h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    h.connect_uri(rw)
    names = []
    h.opt_list(lambda name, description: names.append(name) or 0)
    assert "vol1" in names and "vol1@snap1" in names, names
    h.set_export_name("nope")
    expect_error(errno.ENOENT, h.opt_info)
    h.set_export_name("vol1")
    h.opt_info()
    assert h.get_size() == 64 * MIB
    contexts = []
    h.opt_list_meta_context(lambda name: contexts.append(name) or 0)
    assert contexts == [nbd.CONTEXT_BASE_ALLOCATION], contexts
    h.opt_go()
    assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    h.shutdown()
    a = nbd.NBD()
    a.set_opt_mode(True)
    a.connect_uri(rw)
    a.opt_abort()


def check_unknown_export(rw, ro):
    h = nbd.NBD()
    try:
        h.connect_uri(rw.replace("/vol1?", "/no-such-volume?"))
    except nbd.Error as e:
        assert e.errnum == errno.ENOENT, e
        return
    raise AssertionError("connected to an export that does not exist")


def check_large_requests(rw, ro):
    h = connect(rw)
    data = os.urandom(32 * MIB)
    h.pwrite(data, 16 * MIB)
    assert bytes(h.pread(32 * MIB, 16 * MIB)) == data
    h.shutdown()


def check_growable(growable, plain):
    tib64 = 64 << 40
    g = connect(growable)
    assert g.get_size() == tib64, g.get_size()
    assert not g.is_read_only() and g.can_multi_conn()
    p = connect(plain)
    assert p.get_size() == 64 * MIB
    data = os.urandom(MIB)
    g.pwrite(data, 63 * MIB)
    assert bytes(p.pread(MIB, 63 * MIB)) == data, "a write through the growable export is the volume's"
    assert bytes(g.pread(MIB, 64 * MIB)) == bytes(MIB), "past the volume's end reads zeroes"
    assert bytes(g.pread(MIB, 63 * MIB + MIB // 2)) == data[MIB // 2:] + bytes(MIB // 2)
    assert bytes(g.pread(4096, tib64 - 4096)) == bytes(4096)
    expect_error(errno.ENOSPC, g.pwrite, b"x" * 4096, 64 * MIB)
    expect_error(errno.ENOSPC, g.pwrite, b"y" * 8192, 64 * MIB - 4096)
    assert bytes(g.pread(4096, 64 * MIB - 4096)) == data[-4096:], "a refused write changes nothing"
    expect_error(errno.EINVAL, g.pread, 4096, tib64)
    g.trim(2 * MIB, 63 * MIB)
    g.zero(MIB, 64 * MIB)
    assert bytes(p.pread(MIB, 63 * MIB)) == bytes(MIB), "a trim over the end trims what is inside"
    assert extents(g, MIB, 64 * MIB) == [(MIB, HOLE_ZERO)]
    g.flush()
    g.shutdown()
    p.shutdown()


def main():
    check, rw, ro = sys.argv[1], sys.argv[2], sys.argv[3]
    globals()["check_" + check](rw, ro)
    print("ok", check)


if __name__ == "__main__":
    main()
