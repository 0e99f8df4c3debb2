"""A small stand-in for the medical insurance platform (医保平台模拟器), for the tests and the demo: a stdlib HTTP
server on loopback that answers the national envelope from a data set and can be told to fail, time out, answer
``infcode`` −1 or differ in chosen settlements. It imports nothing from Django, so it runs in a thread of a test
or as its own process (``python -m dae.exchange.simulator``)."""

from .server import PlatformSimulator

__all__ = ["PlatformSimulator"]
