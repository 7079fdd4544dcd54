"""Speech: the script of what is said, and the engines that say it."""
