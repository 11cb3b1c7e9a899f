from .zipf_sinkhorn_target import ZipfSinkhornTarget

__all__ = ["ZipfSinkhornTarget"]
