from .any_device_preprocessor import AnyDeviceDet3DDataPreprocessor
from .dos_data_preprocessor import DOSDataPreprocessor

__all__ = ["AnyDeviceDet3DDataPreprocessor", "DOSDataPreprocessor"]
