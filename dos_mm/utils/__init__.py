from .config import load_config
from .launch import setup_launch

__all__ = ['load_config', 'setup_launch']
