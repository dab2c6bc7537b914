#!/usr/bin/env python3
# seed-programs.py - writes the G-program seeds in tests/data/*-seeds (see fuzz/program.h),
# encoding each shape the way program_count() and program_below() decode it.
import os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
def count(max_bits, bits, value):
    if bits <= max_bits // 2:
        b = bits
    else:
        b = next(x for x in range(224, 256) if x % (max_bits + 1) == bits)
    nbytes = (bits + 7) // 8
    return bytes([b]) + value.to_bytes(nbytes, 'big') if nbytes else bytes([b])
def below_u32(v): return v.to_bytes(4, 'big')
def snap(mode, nodes_bits, nodes, max_edges, str_bits, strs, flags, optional, order, delta, faults, seed, tail=b''):
    return b'G' + bytes([mode]) + count(17, nodes_bits, nodes) + bytes([max_edges]) + count(12, str_bits, strs) + bytes([flags, optional, order, delta, faults]) + below_u32(seed) + tail
def trace(mod_bits, mods, spb_bits, spb, bat_bits, bat, leak_bits, leak, flags, seed, tail=b''):
    return b'G' + count(5, mod_bits, mods) + count(14, spb_bits, spb) + count(8, bat_bits, bat) + count(12, leak_bits, leak) + bytes([flags]) + below_u32(seed) + tail
def w(p, b): open(p, 'wb').write(b)
w('tests/data/snapshot-seeds/program-v8-4k.bin', snap(0, 12, 4095, 6, 4, 10, 0x00, 0x03, 1, 0, 0, 0x12345678))
w('tests/data/snapshot-seeds/program-gzip-16k.bin', snap(1, 14, 16383, 5, 8, 200, 0x10, 0x01, 1, 0, 0, 0x9abcdef0, b'\x02\x03\x06\x01\x09'))
w('tests/data/snapshot-seeds/program-arrays-first-faults.bin', snap(0, 8, 200, 3, 2, 3, 0x07, 0x1f, 0, 0xf5, 0xd2, 0x0f0e0d0c))
w('tests/data/trace-seeds/program-300-stacks.bin', trace(2, 3, 9, 300, 5, 31, 6, 48, 1, 0x11223344))
w('tests/data/trace-seeds/program-damaged.bin', trace(1, 1, 6, 32, 3, 6, 3, 5, 0xe0, 0x55667788, b'\x00\x80\x00\x41\x01\x40\x00\x00'))
w('tests/data/trace-seeds/program-v3-records.bin', trace(1, 1, 8, 200, 3, 5, 3, 4, 3, 0x01020304))
