"""Charts and maps that consume statistics DataFrames; nothing here computes a statistic.

Every chart follows :mod:`bluehelmet.plot.style`: Okabe-Ito colours plus hatching, markers and
direct labels, so it reads the same in black-and-white print and for colour-blind readers.
"""
