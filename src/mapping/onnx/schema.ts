// The part of the ONNX protobuf schema (onnx.proto, proto2, IR versions 3–10) that the importer reads, as a
// protobufjs JSON descriptor: field numbers and types as the ONNX specification defines them; fields we never read
// (training info, functions, sparse tensors, type denotations, …) are left out and skipped by the decoder.
// Names are camelCase, as protobufjs gives them.
import protobuf from 'protobufjs/light.js';

const f = (id: number, type: string, rule?: 'repeated') => (rule ? { id, type, rule } : { id, type });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: f(1, 'int64'), producerName: f(2, 'string'), producerVersion: f(3, 'string'), domain: f(4, 'string'),
            modelVersion: f(5, 'int64'), docString: f(6, 'string'), graph: f(7, 'GraphProto'),
            opsetImport: f(8, 'OperatorSetIdProto', 'repeated'), metadataProps: f(14, 'StringStringEntryProto', 'repeated'),
          },
        },
        OperatorSetIdProto: { fields: { domain: f(1, 'string'), version: f(2, 'int64') } },
        StringStringEntryProto: { fields: { key: f(1, 'string'), value: f(2, 'string') } },
        GraphProto: {
          fields: {
            node: f(1, 'NodeProto', 'repeated'), name: f(2, 'string'), initializer: f(5, 'TensorProto', 'repeated'),
            sparseInitializer: f(15, 'bytes', 'repeated'), input: f(11, 'ValueInfoProto', 'repeated'),
            output: f(12, 'ValueInfoProto', 'repeated'), valueInfo: f(13, 'ValueInfoProto', 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: f(1, 'string', 'repeated'), output: f(2, 'string', 'repeated'), name: f(3, 'string'),
            opType: f(4, 'string'), attribute: f(5, 'AttributeProto', 'repeated'), domain: f(7, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: f(1, 'string'), f: f(2, 'float'), i: f(3, 'int64'), s: f(4, 'bytes'), t: f(5, 'TensorProto'),
            g: f(6, 'bytes'), floats: f(7, 'float', 'repeated'), ints: f(8, 'int64', 'repeated'),
            strings: f(9, 'bytes', 'repeated'), tensors: f(10, 'TensorProto', 'repeated'), graphs: f(11, 'bytes', 'repeated'),
            type: f(20, 'int32'), refAttrName: f(21, 'string'),
          },
        },
        TensorProto: {
          fields: {
            dims: f(1, 'int64', 'repeated'), dataType: f(2, 'int32'), floatData: f(4, 'float', 'repeated'),
            int32Data: f(5, 'int32', 'repeated'), stringData: f(6, 'bytes', 'repeated'), int64Data: f(7, 'int64', 'repeated'),
            name: f(8, 'string'), rawData: f(9, 'bytes'), doubleData: f(10, 'double', 'repeated'),
            uint64Data: f(11, 'uint64', 'repeated'), externalData: f(13, 'StringStringEntryProto', 'repeated'),
            dataLocation: f(14, 'int32'),
          },
        },
        ValueInfoProto: { fields: { name: f(1, 'string'), type: f(2, 'TypeProto') } },
        TypeProto: {
          fields: {
            tensorType: f(1, 'TypeProtoTensor'), sequenceType: f(4, 'bytes'), mapType: f(5, 'bytes'),
            sparseTensorType: f(8, 'bytes'), optionalType: f(9, 'bytes'),
          },
        },
        TypeProtoTensor: { fields: { elemType: f(1, 'int32'), shape: f(2, 'TensorShapeProto') } },
        TensorShapeProto: { fields: { dim: f(1, 'Dimension', 'repeated') } },
        Dimension: { fields: { dimValue: f(1, 'int64'), dimParam: f(2, 'string') } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** int64 fields arrive as numbers or Long objects (protobufjs uses `long` when it is installed). */
export type Int64 = number | { toNumber(): number; low: number; high: number; unsigned?: boolean };

// Decoded message shapes (only what the importer reads; absent proto2 fields are undefined/empty).
export interface OnnxModelProto {
  irVersion?: Int64; producerName?: string; producerVersion?: string; graph?: OnnxGraphProto;
  opsetImport: Array<{ domain?: string; version?: Int64 }>;
}
export interface OnnxGraphProto {
  node: OnnxNodeProto[]; name?: string; initializer: OnnxTensorProto[]; sparseInitializer: Uint8Array[];
  input: OnnxValueInfo[]; output: OnnxValueInfo[];
}
export interface OnnxNodeProto { input: string[]; output: string[]; name?: string; opType?: string; attribute: OnnxAttribute[]; domain?: string }
export interface OnnxAttribute {
  name?: string; f?: number; i?: Int64; s?: Uint8Array; t?: OnnxTensorProto; floats: number[]; ints: Int64[];
  type?: number; refAttrName?: string; strings: Uint8Array[]; tensors: OnnxTensorProto[]; graphs: Uint8Array[]; g?: Uint8Array;
}
export interface OnnxTensorProto {
  dims: Int64[]; dataType?: number; floatData: number[]; int32Data: number[]; int64Data: Int64[]; doubleData: number[];
  uint64Data: Int64[]; stringData: Uint8Array[]; name?: string; rawData?: Uint8Array;
  externalData: Array<{ key?: string; value?: string }>; dataLocation?: number;
}
export interface OnnxValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: Array<{ dimValue?: Int64; dimParam?: string }> } }; sequenceType?: Uint8Array; mapType?: Uint8Array };
}
