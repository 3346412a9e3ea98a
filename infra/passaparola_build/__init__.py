"""What runs only at build time: reading content/, compiling the campaign rules, the site's
policy and its Pelican build. Nothing here ships to Lambda."""
