"""training.eval --readme: each table that ran replaces its marked block of a Markdown file, nothing else."""
import os
import tempfile
import unittest

from training import eval as ev

DOC = '''# Results
intro
<!-- eval:heldout -->
old held-out table
<!-- /eval:heldout -->
middle
<!-- eval:init -->
old init table
<!-- /eval:init -->
end
'''


class TestReadmeSections(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(suffix='.md')
        with os.fdopen(fd, 'w') as f:
            f.write(DOC)

    def tearDown(self):
        os.unlink(self.path)

    def read(self):
        with open(self.path) as f:
            return f.read()

    def test_replaces_only_its_block(self):
        self.assertTrue(ev.write_readme_section(self.path, 'heldout', '| a |\n|---|\n| 1 |', 'cmd --n 3'))
        text = self.read()
        self.assertNotIn('old held-out table', text)
        self.assertIn('<!-- eval:heldout -->\n`cmd --n 3`\n\n| a |\n|---|\n| 1 |\n<!-- /eval:heldout -->', text)
        self.assertIn('old init table', text)
        self.assertTrue(text.startswith('# Results\nintro\n') and text.endswith('end\n'))
        # Idempotent: writing again gives the same file.
        ev.write_readme_section(self.path, 'heldout', '| a |\n|---|\n| 1 |', 'cmd --n 3')
        self.assertEqual(self.read(), text)

    def test_missing_markers_leave_the_file_alone(self):
        self.assertFalse(ev.write_readme_section(self.path, 'torchvision', '| t |', 'cmd'))
        self.assertEqual(self.read(), DOC)

    def test_main_writes_the_tables_it_ran(self):
        # A held-out run of 2 architectures on 50 images: the heldout block is rewritten with its command.
        ev.main(['--n', '2', '--images', '50', '--skip-init', '--skip-torchvision', '--readme', self.path])
        text = self.read()
        self.assertIn('`/usr/bin/python3 -m training.eval --n 2 --images 50', text)
        self.assertIn('| test split archs | n |', text)
        self.assertIn('old init table', text)


if __name__ == '__main__':
    unittest.main()
