from .launch import setup_launch

__all__ = ['setup_launch']
