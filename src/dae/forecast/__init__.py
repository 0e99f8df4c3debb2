"""基金预测预警: monthly forecasts with back-tests, and warnings with dated thresholds."""
