"""What ties the Mage-free package to Mage 0.9.80: its run records, its data directory, and a fix to its process queue."""
