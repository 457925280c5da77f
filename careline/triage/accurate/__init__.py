"""The accurate tier: a fine-tuned MiniLM encoder run as int8 ONNX (``careline[accurate]``).

``runtime`` needs onnxruntime + tokenizers + numpy only; ``train`` (``careline train --tier
accurate``) needs the ``careline[train]`` extra; ``evaluation`` backs ``careline evaluate
--tier accurate``. Nothing here imports onnxruntime, tokenizers or torch at import time.
"""
