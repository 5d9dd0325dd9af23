#!/usr/bin/env python3
"""Writes one gRPC-framed OIP ModelInferRequest to stdout, for h2load (bench/batching-heavy-h2load.sh).

Usage: grpc_infer_body.py MODEL > body.bin
The request: input "x", FP32, shape [1, 24], as raw_input_contents (field numbers from
grpc_predict_v2.proto: ModelInferRequest.model_name 1, inputs 5, raw_input_contents 7;
InferInputTensor.name 1, datatype 2, shape 3). The frame: 1 byte "not compressed", 4 bytes
big-endian length, then the message.
"""
import struct, sys
def varint(n):
    out=b''
    while True:
        b=n&0x7f; n>>=7
        if n: out+=bytes([b|0x80])
        else: return out+bytes([b])
def fld(num, wt, payload):
    key=varint((num<<3)|wt)
    if wt==2: return key+varint(len(payload))+payload
    return key+payload
def s(num, v): return fld(num,2,v.encode() if isinstance(v,str) else v)
model=sys.argv[1]
shape=varint(1)+varint(24)
tensor=s(1,"x")+s(2,"FP32")+fld(3,2,shape)
raw=struct.pack('<24f',*[0.01*i for i in range(24)])
req=s(1,model)+fld(5,2,tensor)+fld(7,2,raw)
sys.stdout.buffer.write(b'\x00'+struct.pack('>I',len(req))+req)
